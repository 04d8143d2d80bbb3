import Glibc
import PropertyBased
import Testing
@testable import LessonKit

// Generated and corpus inputs for the lesson parser and the expected-output matcher: no
// crash, no runaway search, a located error for every malformed input, and the matcher's laws
// on text with brackets, dots and colons (MatcherPropertyTests covers plain text).

// MARK: - Generators

/// Lines a lesson can be made of, well-formed or not.
let lessonFragments: [String] = [
    "---", "title: 标题", "description: 说明", "title: [unclosed", ": : :", "title:", "- a: [b",
    "# 标题", "## 创建进程", "###### h", "> [!TIP] 何时使用", "> [!WARNING]", "> [!NOTE] x", "> text", ">",
    "| a | b |", "|---|---|", "| `x` | y |", "|", "```python", "```javascript", "```swift demo=a",
    "```swift demo=b", "```swift demo=Bad_Slug", "```swift demo=", "```output demo=a", "```output demo=b timeout=2 exit=1",
    "```output demo=a timeout=x exit=-", "```output demo=a timeout=99999999999999999999", "```output",
    "```file name=data.txt", "```file", "```", "````", "~~~", "~~~python", "   ```", "```bash", "```swift demo=a demo=b",
    "print(1)", "[unordered]", "[/unordered]", "[interleaved]", "[/interleaved]", "...", "[PID:main]", "[INT:", "[..]",
    "", "\t", "<div>", "<!-- c -->", "- item", "1. one", "**bold** *it* `c` [link](x)", "进程，子进程。", "\u{0}",
    "\u{FEFF}x", "\r", "a\u{7F}b", "\\", "`", "*", "[^1]: note", "![img](a.png)",
]

func generatedLesson(_ random: inout SplitMix) -> String {
    var lines: [String] = []
    if Bool.random(using: &random) { lines += ["---", "title: T", "---"] }
    for _ in 0..<Int.random(in: 0...60, using: &random) {
        if Int.random(in: 0..<5, using: &random) == 0 {
            lines.append(plainLine(&random))
        } else {
            lines.append(lessonFragments.randomElement(using: &random)!)
        }
    }
    return lines.joined(separator: Bool.random(using: &random) ? "\n" : "\r\n") + (Bool.random(using: &random) ? "\n" : "")
}

/// A well-formed lesson with `count` complete samples.
func wellFormedLesson(_ random: inout SplitMix, count: Int) -> String {
    var text = "---\ntitle: 标题\ndescription: 说明\n---\n\n# 标题\n\n"
    for index in 0..<count {
        let body = (0..<Int.random(in: 1...4, using: &random)).map { _ in "x" + plainLine(&random) }.joined(separator: "\n")
        text += "## 第 \(index) 节\n\n\(plainLine(&random))\n\n"
        text += "```python\nprint(1)\n```\n\n```javascript\nconsole.log(1)\n```\n\n"
        text += "```swift demo=demo-\(index)\nprint(1)\n```\n\n```output demo=demo-\(index)\n\(body)\n```\n\n"
    }
    return text
}

/// Expected-output lines, with every directive and placeholder, well-formed or not.
let patternFragments: [String] = [
    "...", "[..]", "[unordered]", "[/unordered]", "[interleaved]", "[/interleaved]", "---",
    "[INT]", "[FLOAT]", "[PID]", "[PID:main]", "[INT:n]", "[FLOAT:t]", "[PID:]", "[INT:bad name]", "[PID:main",
    "Total: [INT]", "pid [PID:main] done", "[..] and [..]", "x [..]", "[..] y", "time [FLOAT]s", "[0, 1, 4]",
    "value 42", "value [INT:n]", "", " ", "  ...", "... ", "[unordered] ", "[..][..]", "[INT][INT]", "-1", "3.5e-3",
]

/// Output lines that often meet the fragments above.
let outputFragments: [String] = [
    "Total: 45", "pid 4242 done", "pid 0 done", "a and b", "x ", "x y", " y", "time 0.25s", "time 1e3s", "[0, 1, 4]",
    "value 42", "value -7", "value 42abc", "", "...", "---", "[unordered]", "-1", "3.5e-3", "12 34", "1234",
]

func generatedPattern(_ random: inout SplitMix) -> String {
    (0..<Int.random(in: 0...25, using: &random)).map { _ in
        Int.random(in: 0..<6, using: &random) == 0 ? plainLine(&random) : patternFragments.randomElement(using: &random)!
    }.joined(separator: "\n") + "\n"
}

func generatedOutput(_ random: inout SplitMix) -> String {
    (0..<Int.random(in: 0...25, using: &random)).map { _ in
        Int.random(in: 0..<6, using: &random) == 0 ? plainLine(&random) : outputFragments.randomElement(using: &random)!
    }.joined(separator: "\n")
}

/// Text with brackets, dots, colons and digits that is still meant literally: lower-case
/// letters only (no `[INT]`-like names), and no line that is a directive on its own.
func literalLine(_ random: inout SplitMix) -> String {
    let alphabet = Array("ab xz09[].:-,()=进程")
    var line = String((0..<Int.random(in: 0...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    while line.hasSuffix(" ") { line.removeLast() }
    let trimmed = line.trimmingCharacters()
    if ["...", "---", "[unordered]", "[/unordered]", "[interleaved]", "[/interleaved]"].contains(trimmed) { line = "x" + line }
    return line
}

extension String {
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

/// Lines of `text` counted by "\n" bytes ("\r\n" is one Character in Swift).
func lineCount(_ text: String) -> Int { text.utf8.reduce(1) { $0 + ($1 == 10 ? 1 : 0) } }

/// Checks that a problem is located in `path` at a line of the text, and explains itself.
func checkLocated(_ problem: LessonError, path: String, lineCount: Int, _ text: String) {
    #expect(problem.description.hasPrefix("\(path):\(problem.line): "), "\(problem)")
    #expect(problem.line >= 1 && problem.line <= lineCount + 1, "line \(problem.line) of \(lineCount): \(problem)\n\(text)")
    #expect(problem.description.count > path.count + 20, "terse: \(problem)")
}

/// A generated pattern either parses and matches deterministically, or explains itself.
func checkGenerated(_ pattern: String, _ output: String) {
    let parsed: OutputPattern
    do {
        parsed = try OutputPattern(parsing: pattern)
    } catch {
        let lineCount = pattern.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(error.line >= 1 && error.line <= lineCount, "\(error)\n\(pattern)")
        #expect(error.description.hasPrefix("line \(error.line) of the expected output: "))
        #expect(error.reason.count > 10, "\(error)")
        return
    }
    let result = OutputMatcher.match(parsed, actual: output)
    #expect(result.matched == result.diff.isEmpty)
    let again = OutputMatcher.match(parsed, actual: output)
    #expect(again.matched == result.matched && again.captures == result.captures)
}

// MARK: - Parser

@Suite(.serialized) struct ParserFuzzTests {
    @Test func generatedLessonsParseWithLocatedProblems() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let text = generatedLesson(&random)
            let (_, problems) = LessonParser.parse(text, path: "f.md")
            for problem in problems { checkLocated(problem, path: "f.md", lineCount: lineCount(text), text) }
            // Parsing is a function of the text.
            #expect(LessonParser.parse(text, path: "f.md").problems == problems)
        }
    }

    @Test func wellFormedLessonsHaveNoProblems() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let count = Int.random(in: 0...6, using: &random)
            let text = wellFormedLesson(&random, count: count)
            let (lesson, problems) = LessonParser.parse(text, path: "ok.md")
            #expect(problems.isEmpty, "\(problems)\n\(text)")
            #expect(lesson.demos.count == count)
        }
    }

    @Test func droppingAClosingFenceIsReportedAtItsOpening() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let count = Int.random(in: 1...4, using: &random)
            var lines = wellFormedLesson(&random, count: count).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let closings = lines.indices.filter { lines[$0] == "```" }
            let dropped = closings.randomElement(using: &random)!
            // The opening fence of the dropped closing one.
            let opening = lines[..<dropped].lastIndex { $0.hasPrefix("```") && $0 != "```" }!
            lines.remove(at: dropped)
            let text = lines.joined(separator: "\n")
            let (_, problems) = LessonParser.parse(text, path: "f.md")
            #expect(!problems.isEmpty, "\(text)")
            for problem in problems { checkLocated(problem, path: "f.md", lineCount: lines.count, text) }
            // The opening of the dropped block is named (it is then unclosed, or the next
            // opening closes it and the samples no longer pair up after it).
            #expect(problems.contains { $0.line >= opening + 1 }, "\(problems)")
        }
    }

    // MARK: Long inputs

    /// The input that takes cmark-gfm 0.29 half a minute: one paragraph of 20,000 lines.
    @Test func aHugeParagraphIsRejectedFastWithItsLine() {
        let text = "---\ntitle: T\n---\n\nintro\n\n" + String(repeating: "**b** and [l](http://x)\n", count: 20_000)
        let started = monotonicSeconds()
        let (_, problems) = LessonParser.parse(text, path: "big.md")
        let seconds = monotonicSeconds() - started
        #expect(seconds < 2, "rejected in \(seconds) s")
        #expect(problems.count == 1)
        guard case .tooLarge(let file, let line, _)? = problems.first else { Issue.record("\(problems)"); return }
        #expect(file == "big.md" && line == 7)
        #expect(problems[0].description.contains("Break it into paragraphs with blank lines"), "\(problems[0])")
    }

    @Test func aLessonBeyondTheByteOrLineLimitIsRejected() {
        let bytes = String(repeating: "短句。\n\n", count: LessonSize.maximumBytes / 11 + 1)
        #expect(LessonParser.parse(bytes, path: "b.md").problems.first?.description.hasPrefix("b.md:1: too large to read: the lesson has") == true)
        let lines = String(repeating: "\n", count: LessonSize.maximumLines + 1)
        #expect(LessonParser.parse(lines, path: "l.md").problems.first?.description.contains("more than the limit of \(LessonSize.maximumLines). Split it") == true)
    }

    /// The worst a lesson within the limits can do: every paragraph of the slow kind, each just
    /// under the paragraph limit, up to the byte limit. It still parses in seconds, not minutes.
    @Test func theWorstLessonWithinTheLimitsParsesInSeconds() {
        let line = "**b** and [l](http://x)\n"
        let lines = LessonSize.maximumParagraphBytes / line.utf8.count - 1
        let paragraph = String(repeating: line, count: lines) + "\n"
        let count = min(LessonSize.maximumBytes / paragraph.utf8.count, LessonSize.maximumLines / (lines + 1)) - 1
        let text = "---\ntitle: T\n---\n\n" + String(repeating: paragraph, count: count)
        let started = monotonicSeconds()
        let (_, problems) = LessonParser.parse(text, path: "worst.md")
        let seconds = monotonicSeconds() - started
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(seconds < 20, "parsed in \(seconds) s")
    }

    /// Generated lessons hundreds of times longer than the usual ones: located problems, no crash.
    @Test func longGeneratedLessonsParseWithLocatedProblems() async {
        await propertyCheck(count: 10, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let text = (0..<150).map { _ in generatedLesson(&random) }.joined(separator: "\n")
            let (_, problems) = LessonParser.parse(text, path: "f.md")
            for problem in problems { checkLocated(problem, path: "f.md", lineCount: lineCount(text), text) }
        }
    }
}

// MARK: - Matcher

@Suite struct MatcherFuzzTests {
    @Test func generatedPatternsParseOrExplain() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let pattern = generatedPattern(&random)
            let output = generatedOutput(&random)
            checkGenerated(pattern, output)
        }
    }

    @Test func literalTextWithBracketsMatchesItself() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let text = (0..<Int.random(in: 0...20, using: &random)).map { _ in literalLine(&random) }.joined(separator: "\n")
            #expect(matched(text, text), "\(text)")
        }
    }

    @Test func aChangedCharacterOfLiteralTextNeverMatches() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            var lines = (0..<Int.random(in: 1...20, using: &random)).map { _ in literalLine(&random) }
            let pattern = lines.joined(separator: "\n")
            // A line without `[..]` (which would absorb the change) and with a character to change.
            guard let index = lines.indices.filter({ !lines[$0].contains("[..]") && !lines[$0].isEmpty }).randomElement(using: &random) else { return }
            var characters = Array(lines[index])
            let position = Int.random(in: 0..<characters.count, using: &random)
            characters[position] = characters[position] == "#" ? "%" : "#"
            lines[index] = String(characters)
            #expect(!matched(pattern, lines.joined(separator: "\n")), "\(lines)")
        }
    }

    @Test func aChangedNumberNeverMatchesItsNamedCapture() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...99_999), Gen.int(in: 0...99_999)) { first, second in
            let pattern = "sum [INT:s]\n...\nagain [INT:s] [..]\n"
            let actual = "sum \(first)\nnoise\nnoise\nagain \(second) tail\n"
            #expect(matched(pattern, actual) == (first == second))
        }
    }

    /// Each wildcard could start at any byte: without remembering failed states this is
    /// C(60, 12) attempts; with it, a few thousand.
    @Test func manyWildcardsInOneLineStayBounded() {
        let pattern = String(repeating: "[..]a", count: 12) + "b\n"
        let line = String(repeating: "a", count: 60) + "\n"
        #expect(!matched(pattern, line))
        #expect(matched(pattern, String(repeating: "a", count: 60) + "b\n"))
    }

    /// Captures inside one line still agree when wildcards are remembered.
    @Test func wildcardsWithCapturesStillAgree() {
        let pattern = "[..] [INT:n] [..] [INT:n] [..]\n"
        #expect(matched(pattern, "a 1 b 2 c 1 d\n"))
        #expect(!matched(pattern, "a 1 b 2 c 3 d\n"))
    }

    @Test func manyEllipsesStayBounded() {
        let pattern = String(repeating: "...\nx\n", count: 40) + "y\n"
        let output = String(repeating: "x\n", count: 300) + "z\n"
        #expect(!matched(pattern, output))
    }
}

// MARK: - Corpus

/// Tests/LessonKitTests/Corpus: `lessons/ok-*.md` parse without problems, `lessons/bad-*.md`
/// report at least one located problem; `patterns/*.txt` hold an expected block, a line
/// `=== actual`, the output, and start with `expect: match|nomatch|error`.
@Suite struct CorpusTests {
    static let corpus = packageRoot + "/Tests/LessonKitTests/Corpus"

    static func files(_ folder: String) -> [String] {
        guard let directory = opendir(corpus + "/" + folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(corpus + "/" + folder + "/" + name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> String {
        guard let file = fopen(path, "rb") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func corpusIsThere() {
        #expect(Self.files("lessons").count >= 10)
        #expect(Self.files("patterns").count >= 10)
    }

    @Test(arguments: files("lessons"))
    func lesson(_ path: String) {
        let text = Self.read(path)
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let (_, problems) = LessonParser.parse(text, path: name)
        let lineCount = lineCount(text)
        if name.hasPrefix("ok-") {
            #expect(problems.isEmpty, "\(problems)")
        } else {
            #expect(!problems.isEmpty, "\(name) should report a problem")
        }
        for problem in problems { checkLocated(problem, path: name, lineCount: lineCount, text) }
    }

    @Test(arguments: files("patterns"))
    func pattern(_ path: String) throws {
        let text = Self.read(path)
        let parts = text.components(separatedBy: "\n=== actual\n")
        try #require(parts.count == 2, "\(path): no `=== actual` line")
        let header = parts[0].prefix { $0 != "\n" }
        let expected = String(parts[0].dropFirst(header.count + 1))
        let outcome = Self.outcome(expected, parts[1])
        #expect("expect: \(outcome)" == header, "\(path)")
    }
}

extension CorpusTests {
    /// "match", "nomatch", or "error" (with the error's format checked).
    static func outcome(_ expected: String, _ actual: String) -> String {
        let pattern: OutputPattern
        do {
            pattern = try OutputPattern(parsing: expected)
        } catch {
            #expect(error.description.hasPrefix("line \(error.line) of the expected output: "))
            return "error"
        }
        return OutputMatcher.match(pattern, actual: actual).matched ? "match" : "nomatch"
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
