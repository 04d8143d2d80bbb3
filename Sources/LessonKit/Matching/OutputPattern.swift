/// An expected-output block, read into the pieces the matcher works with.
///
/// The language (DESIGN.md, "Expected output"):
/// - a line matches exactly, trailing whitespace ignored; `[..]`, `[INT]`, `[FLOAT]`, `[PID]`
///   and named captures like `[PID:main]` inside it (see ``LineTemplate``);
/// - `...` alone on a line matches any number of lines (also none);
/// - `[unordered]` … `[/unordered]`: these lines, in any order;
/// - `[interleaved]` … `[/interleaved]`, groups separated by `---`: each group in order, the
///   groups' lines mixed in any way (several processes printing at once);
/// - `[repeat]` … `[/repeat]`: these lines, in order, one or more times; alone, inside an
///   `[interleaved]` group, or (one line) inside `[unordered]`.
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
        /// A `[repeat]` block: the lines, one or more times.
        case repeated([PatternLine])
    }

    /// An expected line and its position in the block (0-based).
    public struct PatternLine: Sendable {
        /// The template.
        public var template: LineTemplate
        /// The line's index in the expected block.
        public var index: Int
        /// For the last line of a `[repeat]` body: where the body starts in the enclosing list
        /// of lines, so the body may run again after this line.
        public var loopStart: Int? = nil
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
                    case "[repeat]":
                        let body = try OutputPattern.repeatBody(lines, at: cursor, inside: line)
                        if line == "[unordered]", body.lines.count != 1 {
                            throw OutputPatternError(line: cursor + 1, reason: "a [repeat] inside [unordered] holds one line (that line, one or more times, anywhere in the block); use [interleaved] for a repeated run of lines")
                        }
                        let start = groups[groups.count - 1].count
                        var repeated = body.lines
                        repeated[repeated.count - 1].loopStart = start
                        groups[groups.count - 1].append(contentsOf: repeated)
                        cursor = body.end
                    case "...":
                        throw OutputPatternError(line: cursor + 1, reason: "`...` is not allowed inside \(line); list the lines, or end the block before it")
                    case "[unordered]", "[interleaved]", "[/unordered]", "[/interleaved]", "[/repeat]":
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
            case "[repeat]":
                let body = try OutputPattern.repeatBody(lines, at: index, inside: nil)
                var repeated = body.lines
                repeated[repeated.count - 1].loopStart = 0
                elements.append(.repeated(repeated))
                index = body.end + 1
            case "[/unordered]", "[/interleaved]", "[/repeat]":
                throw OutputPatternError(line: index + 1, reason: "\(line) without its opening marker")
            default:
                elements.append(.line(PatternLine(template: LineTemplate(line), index: index)))
                index += 1
            }
        }
        for element in elements {
            let patternLines: [PatternLine]
            switch element {
            case .line(let line): patternLines = [line]
            case .anyLines: patternLines = []
            case .unordered(let group), .repeated(let group): patternLines = group
            case .interleaved(let groups): patternLines = Array(groups.joined())
            }
            if let bad = patternLines.first(where: { $0.template.problem != nil }) {
                throw OutputPatternError(line: bad.index + 1, reason: bad.template.problem!)
            }
        }
    }

    /// Reads the body of the `[repeat]` on line `start`: its lines and the index of its `[/repeat]`.
    private static func repeatBody(_ lines: [String], at start: Int, inside block: String?) throws(OutputPatternError) -> (lines: [PatternLine], end: Int) {
        var body: [PatternLine] = []
        var cursor = start + 1
        while cursor < lines.count, lines[cursor] != "[/repeat]" {
            switch lines[cursor] {
            case "...":
                throw OutputPatternError(line: cursor + 1, reason: "`...` is not allowed inside [repeat]; list the lines that repeat")
            case "---" where block == "[interleaved]":
                throw OutputPatternError(line: cursor + 1, reason: "`---` inside [repeat]; close the repeat with [/repeat] before the next group")
            case "[repeat]", "[unordered]", "[interleaved]", "[/unordered]", "[/interleaved]":
                throw OutputPatternError(line: cursor + 1, reason: "\(lines[cursor]) inside [repeat]; a repeat holds plain lines, close it with [/repeat] first")
            default:
                body.append(PatternLine(template: LineTemplate(lines[cursor]), index: cursor))
            }
            cursor += 1
        }
        guard cursor < lines.count else {
            throw OutputPatternError(line: start + 1, reason: "[repeat] is never closed; add a [/repeat] line after the lines that repeat")
        }
        guard !body.isEmpty else {
            throw OutputPatternError(line: start + 1, reason: "[repeat] is empty; put the lines that repeat between [repeat] and [/repeat]")
        }
        return (body, cursor)
    }

    /// Splits output into lines: trailing whitespace of each line and trailing empty lines
    /// are dropped.
    public static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmingTrailingSpace) }
        while lines.last == "" { lines.removeLast() }
        return lines
    }
}
