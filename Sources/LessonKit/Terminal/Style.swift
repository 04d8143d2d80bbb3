/// ANSI styles, or none: colour only on a terminal and never with `NO_COLOR`.
public struct Style: Sendable {
    /// Whether escape sequences are written.
    public var enabled: Bool

    /// Creates a style.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Colour when standard output (`descriptor`) is a terminal and `NO_COLOR` is unset or empty.
    public static func automatic(descriptor: Int32 = 1) -> Style {
        Style(enabled: isTerminal(descriptor) && (environmentValue("NO_COLOR") ?? "").isEmpty)
    }

    func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Bold.
    public func bold(_ text: String) -> String { wrap(text, "1") }
    /// Dim.
    public func dim(_ text: String) -> String { wrap(text, "2") }
    /// Italic.
    public func italic(_ text: String) -> String { wrap(text, "3") }
    /// Underlined.
    public func underline(_ text: String) -> String { wrap(text, "4") }
    /// Red.
    public func red(_ text: String) -> String { wrap(text, "31") }
    /// Green.
    public func green(_ text: String) -> String { wrap(text, "32") }
    /// Yellow.
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    /// Blue.
    public func blue(_ text: String) -> String { wrap(text, "34") }
    /// Magenta.
    public func magenta(_ text: String) -> String { wrap(text, "35") }
    /// Cyan.
    public func cyan(_ text: String) -> String { wrap(text, "36") }
}
