// MARK: - Highlighted code

/// Code as HTML: escaped text, with highlighted tokens wrapped in `<span class="hl-KIND">`.
///
/// The tokens come from the same highlighter as the terminal view: its styled output is read
/// back, each colour naming a token kind, so the site and the terminal always agree.
enum CodeHTML {
    /// `code` in `language` (`python`, `javascript`, `swift`, anything else plain) as HTML.
    static func highlight(_ code: String, language: String) -> String {
        var text = code
        if text.hasSuffix("\n") { text.removeLast() }
        // An escape character in the code itself would be read as styling: drop it.
        text.unicodeScalars.removeAll { $0 == "\u{1B}" }
        return spans(fromStyled: styled(text, language: language))
    }

    /// The terminal highlighter's output for `text`, with styling on.
    static func styled(_ text: String, language: String) -> String {
        Highlighter.highlight(text, language: language, style: Style(enabled: true))
    }

    /// The token class for an SGR colour code of the terminal highlighter.
    static func tokenClass(_ code: String) -> String? {
        switch code {
        case "35": "hl-keyword"
        case "32": "hl-string"
        case "2", "90": "hl-comment"
        case "36": "hl-number"
        case "33": "hl-type"
        case "34": "hl-function"
        case "31": "hl-builtin"
        default: nil
        }
    }

    /// Turns text styled with ANSI SGR sequences (`ESC[35m` … `ESC[0m`) into escaped HTML with
    /// one `<span>` per styled run; unknown styles become plain text.
    static func spans(fromStyled styled: String) -> String {
        var out = ""
        var open = false
        var plain = ""
        var scalars = styled.unicodeScalars[...]
        func flush() {
            out += HTML.escape(plain)
            plain = ""
        }
        while let scalar = scalars.first {
            if scalar == "\u{1B}", scalars.dropFirst().first == "[" {
                let body = scalars.dropFirst(2)
                guard let end = body.firstIndex(of: "m") else { break }
                let code = String(String.UnicodeScalarView(body[..<end]))
                scalars = body[body.index(after: end)...]
                flush()
                if open { out += "</span>"; open = false }
                if code != "0", code != "", let cls = tokenClass(code.split(separator: ";").last.map(String.init) ?? code) {
                    out += "<span class=\"\(cls)\">"
                    open = true
                }
                continue
            }
            plain.unicodeScalars.append(scalar)
            scalars = scalars.dropFirst()
        }
        flush()
        if open { out += "</span>" }
        return out
    }
}
