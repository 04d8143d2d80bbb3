/// ANSI styles, or none: colour only on a terminal and never with `NO_COLOR`.
public struct Style: Sendable {
    /// Whether escape sequences are written.
    public var enabled: Bool

    /// Creates a style.
    public init(enabled: Bool) { self.enabled = enabled }

    /// The style `choice` asks for (`--color`).
    ///
    /// `always` and `never` decide alone. `auto` colours when `FORCE_COLOR` or `CLICOLOR_FORCE`
    /// is set to anything but empty or `0` (even into a pipe, e.g. `| less -R`); otherwise
    /// never when `NO_COLOR` is set and not empty; otherwise when `descriptor` is a terminal.
    ///
    /// - Parameters:
    ///   - choice: `--color auto|always|never`.
    ///   - descriptor: The output the style is for (standard output by default).
    ///   - environment: Looks up an environment variable (this process's by default).
    public static func automatic(_ choice: ColorChoice = .auto, descriptor: Int32 = 1,
                                 environment: (String) -> String? = environmentValue) -> Style {
        switch choice {
        case .always: return Style(enabled: true)
        case .never: return Style(enabled: false)
        case .auto:
            func isSet(_ name: String) -> Bool { !(environment(name) ?? "").isEmpty }
            if ["FORCE_COLOR", "CLICOLOR_FORCE"].contains(where: { isSet($0) && environment($0) != "0" }) {
                return Style(enabled: true)
            }
            return Style(enabled: !isSet("NO_COLOR") && isTerminal(descriptor))
        }
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
