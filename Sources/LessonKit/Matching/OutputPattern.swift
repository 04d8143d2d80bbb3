/// An expected-output block, read into the pieces the matcher works with.
///
/// The language (DESIGN.md, "Expected output"):
/// - a line matches exactly, trailing whitespace ignored; `[..]`, `[INT]`, `[FLOAT]`, `[PID]`
///   and named captures like `[PID:main]` inside it (see ``LineTemplate``);
/// - `...` alone on a line matches any number of lines (also none);
/// - `[unordered]` … `[/unordered]`: these lines, in any order;
/// - `[interleaved]` … `[/interleaved]`, groups separated by `---`: each group in order, the
///   groups' lines mixed in any way (several processes printing at once).
public struct OutputPattern: Sendable {
    /// A piece of the pattern.
    public enum Element: Sendable {
        /// One line.
        case line(PatternLine)
        /// `...`: any lines.
        case anyLines(index: Int)
        /// An `[unordered]` block.
        case unordered([PatternLine])
        /// An `[interleaved]` block: the groups.
        case interleaved([[PatternLine]])
    }

    /// An expected line and its position in the block (0-based).
    public struct PatternLine: Sendable {
        /// The template.
        public var template: LineTemplate
        /// The line's index in the expected block.
        public var index: Int
    }

    /// The elements in order.
    public var elements: [Element]
    /// The expected block's lines, trailing whitespace removed.
    public var lines: [String]

    /// Reads an expected-output block.
    ///
    /// - Throws: ``OutputPatternError`` for an unclosed or stray block marker, or `...` inside a
    ///   block.
    public init(parsing text: String) throws(OutputPatternError) {
        lines = OutputPattern.lines(of: text)
        elements = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            switch line {
            case "...":
                elements.append(.anyLines(index: index))
                index += 1
            case "[unordered]", "[interleaved]":
                let closing = line == "[unordered]" ? "[/unordered]" : "[/interleaved]"
                var groups: [[PatternLine]] = [[]]
                var cursor = index + 1
                while cursor < lines.count, lines[cursor] != closing {
                    switch lines[cursor] {
                    case "---" where line == "[interleaved]":
                        groups.append([])
                    case "...":
                        throw OutputPatternError(line: cursor + 1, reason: "`...` is not allowed inside \(line); list the lines, or end the block before it")
                    case "[unordered]", "[interleaved]", "[/unordered]", "[/interleaved]":
                        throw OutputPatternError(line: cursor + 1, reason: "\(lines[cursor]) inside \(line); blocks do not nest, close it with \(closing) first")
                    default:
                        groups[groups.count - 1].append(PatternLine(template: LineTemplate(lines[cursor]), index: cursor))
                    }
                    cursor += 1
                }
                guard cursor < lines.count else {
                    throw OutputPatternError(line: index + 1, reason: "\(line) is never closed; add a \(closing) line after its last line")
                }
                if line == "[unordered]" {
                    elements.append(.unordered(groups[0]))
                } else {
                    if groups.contains(where: \.isEmpty) {
                        throw OutputPatternError(line: index + 1, reason: "[interleaved] has an empty group; put lines between the `---` separators")
                    }
                    elements.append(.interleaved(groups))
                }
                index = cursor + 1
            case "[/unordered]", "[/interleaved]":
                throw OutputPatternError(line: index + 1, reason: "\(line) without its opening marker")
            default:
                elements.append(.line(PatternLine(template: LineTemplate(line), index: index)))
                index += 1
            }
        }
    }

    /// Splits output into lines: trailing whitespace of each line and trailing empty lines
    /// are dropped.
    public static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmingTrailingSpace) }
        while lines.last == "" { lines.removeLast() }
        return lines
    }
}
