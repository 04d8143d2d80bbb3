/// A malformed expected-output block.
public struct OutputPatternError: Error, Sendable, CustomStringConvertible {
    /// The line in the block (1 = the first line after the opening fence).
    public var line: Int
    /// What is wrong and how to fix it.
    public var reason: String
    public var description: String { "line \(line) of the expected output: \(reason)" }
}
