/// When to colour the output: `--color auto|always|never`.
public enum ColorChoice: String, CaseIterable, Sendable {
    /// On a terminal, unless the environment says otherwise (see ``Style/automatic(_:descriptor:environment:)``).
    case auto
    /// Always, e.g. into `less -R`.
    case always
    /// Never.
    case never
}
