// MARK: - Highlighted code

/// Code as HTML: escaped text, with highlighted tokens wrapped in `<span class="hl-KIND">`.
///
/// The tokens come from the same highlighter as the terminal view, so the site and the
/// terminal always agree.
enum CodeHTML {
    /// `code` in `language` (`python`, `javascript`, `swift`, anything else plain) as HTML.
    static func highlight(_ code: String, language: String) -> String {
        var text = code
        if text.hasSuffix("\n") { text.removeLast() }
        // An escape character has no meaning on a page: drop it.
        text.unicodeScalars.removeAll { $0 == "\u{1B}" }
        guard let tokens = Highlighter.tokens(text, language: language) else { return HTML.escape(text) }
        return tokens.map { token in
            guard let kind = token.kind else { return HTML.escape(token.text) }
            return "<span class=\"\(tokenClass(kind))\">\(HTML.escape(token.text))</span>"
        }.joined()
    }

    /// The CSS class of a token kind (styled in `site/style.css`).
    static func tokenClass(_ kind: Highlighter.Kind) -> String {
        switch kind {
        case .keyword: "hl-keyword"
        case .string: "hl-string"
        case .comment: "hl-comment"
        case .number: "hl-number"
        case .type: "hl-type"
        case .function: "hl-function"
        }
    }
}
