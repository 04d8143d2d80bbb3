/// A problem in a lesson file, or between a lesson and its demo sources.
///
/// Each case carries the file and line; ``description`` reads `file:line: problem. fix.`
public enum LessonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A fenced code block that is never closed.
    case unclosedFence(file: String, line: Int, fence: String)
    /// The front matter is missing, unterminated, not YAML, or lacks `title`.
    case badFrontMatter(file: String, line: Int, reason: String)
    /// An `output` block without `demo=<slug>`.
    case outputWithoutDemo(file: String, line: Int)
    /// An `output demo=x` block whose sample has no `swift demo=x` block.
    case outputWithoutSwift(file: String, line: Int, demo: String)
    /// A `swift demo=x` block without an `output demo=x` block after it.
    case demoWithoutOutput(file: String, line: Int, demo: String)
    /// The `output` block names another demo than the sample's `swift` block.
    case demoMismatch(file: String, line: Int, swift: String, output: String)
    /// A `swift demo=x` block whose `Sources/Demos/x/main.swift` does not exist.
    case demoWithoutSource(file: String, line: Int, demo: String, expectedPath: String)
    /// A demo slug used twice (in this lesson or another).
    case duplicateDemo(file: String, line: Int, demo: String, firstFile: String, firstLine: Int)
    /// The lesson's swift block differs from the demo's source file.
    case drifted(file: String, line: Int, demo: String, sourcePath: String, diff: String)
    /// An info-string option with a bad value (`timeout=abc`, `exit=x`, a bad slug or file name).
    case badOption(file: String, line: Int, option: String, reason: String)
    /// The expected-output block does not parse (e.g. `[unordered]` never closed).
    case badExpectedOutput(file: String, line: Int, reason: String)
    /// The file, or one paragraph of it, is beyond ``LessonSize``'s limits; it is not parsed.
    case tooLarge(file: String, line: Int, reason: String)
    /// A behaviour fact that is unknown, malformed, out of range or contradicts another.
    case badFact(file: String, line: Int, reason: String)
    /// A `swift exercise=x` block whose reference solution `Sources/Demos/x/main.swift` does not exist.
    case exerciseWithoutSolution(file: String, line: Int, exercise: String, expectedPath: String)

    /// The lesson file the problem is in.
    public var file: String {
        switch self {
        case .unclosedFence(let file, _, _), .badFrontMatter(let file, _, _), .outputWithoutDemo(let file, _),
             .outputWithoutSwift(let file, _, _), .demoWithoutOutput(let file, _, _), .demoMismatch(let file, _, _, _),
             .demoWithoutSource(let file, _, _, _), .duplicateDemo(let file, _, _, _, _), .drifted(let file, _, _, _, _),
             .badOption(let file, _, _, _), .badExpectedOutput(let file, _, _), .tooLarge(let file, _, _),
             .badFact(let file, _, _),
             .exerciseWithoutSolution(let file, _, _, _):
            file
        }
    }

    /// The line the problem is on.
    public var line: Int {
        switch self {
        case .unclosedFence(_, let line, _), .badFrontMatter(_, let line, _), .outputWithoutDemo(_, let line),
             .outputWithoutSwift(_, let line, _), .demoWithoutOutput(_, let line, _), .demoMismatch(_, let line, _, _),
             .demoWithoutSource(_, let line, _, _), .duplicateDemo(_, let line, _, _, _), .drifted(_, let line, _, _, _),
             .badOption(_, let line, _, _), .badExpectedOutput(_, let line, _), .tooLarge(_, let line, _),
             .badFact(_, let line, _),
             .exerciseWithoutSolution(_, let line, _, _):
            line
        }
    }

    public var description: String {
        let place = "\(file):\(line): "
        switch self {
        case .unclosedFence(_, _, let fence):
            return place + "code block opened with \(fence) is never closed. Add a closing \(fence) line after its last line."
        case .badFrontMatter(_, _, let reason):
            return place + "front matter: \(reason). Start the file with `---`, `title: …`, `description: …`, `---`."
        case .outputWithoutDemo:
            return place + "output block without demo=<slug>. Write ```output demo=<slug> after the sample's ```swift demo=<slug> block."
        case .outputWithoutSwift(_, _, let demo):
            return place + "output block for demo '\(demo)' has no ```swift demo=\(demo) block before it in the same sample. Put the swift block right before it (run `learn-mp sync` to fill it from Sources/Demos/\(demo)/main.swift)."
        case .demoWithoutOutput(_, _, let demo):
            return place + "swift demo=\(demo) has no expected output. Add an ```output demo=\(demo) block after it."
        case .demoMismatch(_, _, let swift, let output):
            return place + "output block says demo=\(output) but the sample's swift block is demo=\(swift). Use the same slug in both."
        case .demoWithoutSource(_, _, let demo, let path):
            return place + "demo '\(demo)' has no source: \(path) does not exist. Create it (the product demo-\(demo) is then discovered automatically) or fix the slug."
        case .duplicateDemo(_, _, let demo, let firstFile, let firstLine):
            return place + "demo '\(demo)' is already used at \(firstFile):\(firstLine). Every demo belongs to exactly one sample: give this one its own slug."
        case .drifted(_, _, let demo, let source, let diff):
            return place + "swift block of demo '\(demo)' differs from \(source). Run `learn-mp sync` to copy the source into the lesson (or edit the source).\n" + diff
        case .badOption(_, _, let option, let reason):
            return place + "option \(option): \(reason)."
        case .badExpectedOutput(_, _, let reason):
            return place + "expected output: \(reason)."
        case .tooLarge(_, _, let reason):
            return place + "too large to read: \(reason)."
        case .badFact(_, _, let reason):
            return place + "fact: \(reason)."
        case .exerciseWithoutSolution(_, _, let exercise, let path):
            return place + "exercise '\(exercise)' has no reference solution: \(path) does not exist. Write the finished program there (product demo-\(exercise)); `learn-mp verify` checks it against the exercise's expected output."
        }
    }
}
