import Testing
@testable import LessonKit

@Suite struct MatcherTests {
    func matches(_ expected: String, _ actual: String) throws -> Bool {
        try OutputMatcher.match(expected: expected, actual: actual).matched
    }

    // MARK: - Exact lines

    @Test func exactTextMatchesAndTrailingWhitespaceIsIgnored() throws {
        #expect(try matches("a\nb\n", "a  \nb\t\n\n"))
        #expect(try !matches("a\nb\n", "a\nc\n"))
        #expect(try !matches("a\nb\n", "a\n"))
        #expect(try !matches("a\n", "a\nb\n"))
        #expect(try !matches(" a\n", "a\n"), "leading whitespace counts")
    }

    @Test func bracketedLiteralTextIsNotAPlaceholder() throws {
        #expect(try matches("[0, 1, 4, 9]\n", "[0, 1, 4, 9]\n"))
        #expect(try !matches("[0, 1, 4, 9]\n", "[0, 1, 4, 8]\n"))
    }

    // MARK: - Placeholders

    @Test func anyTextPlaceholder() throws {
        #expect(try matches("took [..] seconds\n", "took 1.5 seconds\n"))
        #expect(try matches("took [..] seconds\n", "took  seconds\n"))
        #expect(try !matches("took [..] seconds\n", "took 1.5 minutes\n"))
        #expect(try matches("[..]\n", "anything at all\n"))
    }

    @Test func typedPlaceholders() throws {
        #expect(try matches("n=[INT]\n", "n=-42\n"))
        #expect(try !matches("n=[INT]\n", "n=4.2\n"))
        #expect(try matches("t=[FLOAT]s\n", "t=0.25s\n"))
        #expect(try matches("t=[FLOAT]s\n", "t=1e-3s\n"))
        #expect(try !matches("t=[FLOAT]s\n", "t=fast\n"))
        #expect(try matches("pid [PID]\n", "pid 4242\n"))
        #expect(try !matches("pid [PID]\n", "pid 0\n"))
        #expect(try !matches("pid [PID]\n", "pid -3\n"))
        #expect(try !matches("[INT]5\n", "12345\n"), "a number is taken whole")
    }

    @Test func namedCapturesMustAgreeAcrossTheOutput() throws {
        let expected = "Main: [PID:main]\nParent: [PID:main]\n"
        let good = try OutputMatcher.match(expected: expected, actual: "Main: 100\nParent: 100\n")
        #expect(good.matched)
        #expect(good.captures["main"] == "100")
        let bad = try OutputMatcher.match(expected: expected, actual: "Main: 100\nParent: 101\n")
        #expect(!bad.matched)
        #expect(bad.diff.contains("[PID:main] is 100"))
        #expect(bad.diff.contains("101"))
    }

    @Test func capturesAgreeAcrossUnorderedBlocks() throws {
        let expected = "Main [PID:main]\n[unordered]\nA parent [PID:main]\nB parent [PID:main]\n[/unordered]\n"
        #expect(try matches(expected, "Main 7\nB parent 7\nA parent 7\n"))
        #expect(try !matches(expected, "Main 7\nB parent 7\nA parent 8\n"))
    }

    // MARK: - Any lines

    @Test func ellipsisMatchesAnyLinesIncludingNone() throws {
        #expect(try matches("start\n...\nend\n", "start\nx\ny\nend\n"))
        #expect(try matches("start\n...\nend\n", "start\nend\n"))
        #expect(try matches("start\n...\n", "start\n"))
        #expect(try !matches("start\n...\nend\n", "start\nx\n"))
        #expect(try matches("...\nlast\n", "a\nb\nlast\n"))
    }

    // MARK: - Blocks

    @Test func unorderedBlock() throws {
        let expected = "[unordered]\na\nb\nc\n[/unordered]\ndone\n"
        #expect(try matches(expected, "c\na\nb\ndone\n"))
        #expect(try !matches(expected, "c\na\na\ndone\n"))
        #expect(try !matches(expected, "c\na\ndone\nb\n"))
    }

    @Test func interleavedBlockKeepsEachGroupInOrder() throws {
        let expected = "[interleaved]\n1\n2\n---\na\nb\n[/interleaved]\n"
        #expect(try matches(expected, "1\na\n2\nb\n"))
        #expect(try matches(expected, "a\nb\n1\n2\n"))
        #expect(try !matches(expected, "2\na\n1\nb\n"))
        #expect(try !matches(expected, "1\nb\na\n2\n"))
    }

    @Test func interleavingManyGroupsStaysFast() throws {
        // 6 groups of 8 identical-looking lines: the memo keeps the search small.
        let groups = (0..<6).map { g in (0..<8).map { "worker [INT] step \($0)" + (g == 5 && $0 == 7 ? " last" : "") } }
        let pattern = "[interleaved]\n" + groups.map { $0.joined(separator: "\n") }.joined(separator: "\n---\n") + "\n[/interleaved]\n"
        var output: [String] = []
        for step in 0..<8 { for g in 0..<6 { output.append("worker \(g) step \(step)") } }
        #expect(try !matches(pattern, output.joined(separator: "\n")), "no line ends in `last`")
        output[output.count - 1] += " last"
        #expect(try matches(pattern, output.joined(separator: "\n")))
    }

    @Test func malformedBlocksAreErrors() {
        #expect(throws: OutputPatternError.self) { try OutputPattern(parsing: "[unordered]\na\n") }
        #expect(throws: OutputPatternError.self) { try OutputPattern(parsing: "a\n[/interleaved]\n") }
        #expect(throws: OutputPatternError.self) { try OutputPattern(parsing: "[interleaved]\na\n...\n[/interleaved]\n") }
        #expect(throws: OutputPatternError.self) { try OutputPattern(parsing: "[interleaved]\n---\na\n[/interleaved]\n") }
    }

    // MARK: - Diffs

    @Test func mismatchShowsAUnifiedDiff() throws {
        let result = try OutputMatcher.match(expected: "a\nb\nc\n", actual: "a\nB\nc\n")
        #expect(!result.matched)
        #expect(result.diff.contains("--- expected"))
        #expect(result.diff.contains("-b\n"))
        #expect(result.diff.contains("+B\n"))
        #expect(result.diff.contains(" a\n"))
    }

    @Test func ellipsisAbsorbsLinesInTheDiff() throws {
        let result = try OutputMatcher.match(expected: "x\n...\nz\n", actual: "x\n1\n2\ny\n")
        #expect(!result.matched)
        #expect(result.diff.contains("-z"))
        #expect(!result.diff.contains("\n+1\n"), "lines taken by ... are not changes")
    }

    @Test func plainTextDiff() {
        #expect(UnifiedDiff.diff("a\nb\n", "a\nb\n").isEmpty)
        let diff = UnifiedDiff.diff("a\nb\nc\n", "a\nc\n", oldLabel: "source", newLabel: "lesson")
        #expect(diff.contains("--- source\n+++ lesson\n"))
        #expect(diff.contains("-b\n"))
    }
}
