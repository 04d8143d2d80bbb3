import Testing
@testable import LessonKit

/// A demo's output reaches the terminal with its control characters made visible; the check
/// still compares the raw text.
@Suite struct VisibleControlsTests {
    @Test func controlCharactersBecomeVisible() {
        #expect(visibleControls("a\u{1B}[2Jb\r\n\tc\u{7F}\u{9B}d\u{0}") == "a␛[2Jb␍\n\tc␡<U+009B>d␀")
        #expect(visibleControls("中文 plain\n") == "中文 plain\n")
    }

    @Test func theCheckComparesRawTextAndTheReportShowsItVisibly() throws {
        let job = RunJob(lesson: "t", demo: "t", runtime: .python, executable: "/bin/sh",
                         script: "printf 'red \\033[31mtext\\n'; printf 'clear \\033[2J\\n' >&2\n",
                         files: [], expected: "red \u{1B}[31mtext\n", expectedExit: 0, timeout: 10, outputLimit: 1 << 20)
        #expect(Runner.run(job).passed, "raw escape sequences match raw expected text")
        var wrong = job
        wrong.expected = "red text\n"
        let result = Runner.run(wrong)
        #expect(!result.passed)
        let session = Session(workspace: try Workspace(root: fixtures + "/workspace"), style: Style(enabled: false), width: 80, interactive: false)
        let report = session.failureReport(result)
        #expect(!report.unicodeScalars.contains("\u{1B}"), "\(report)")
        #expect(report.contains("+red ␛[31mtext"), "\(report)")
        #expect(report.contains("clear ␛[2J"), "\(report)")
    }

    /// `learn-mp run` shows the live output and the diff without a raw escape byte.
    @Test func learnMPNeverWritesARawEscape() throws {
        let lessons = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-escape")
        defer { FileSystem.removeTree(lessons) }
        let good = try FileSystem.readText(fixtures + "/lessons/good/01-good.md")
        try FileSystem.writeText(good.replacing("print(f\"Main process PID: {os.getpid()}\")", with: "print(f\"Main process PID: {os.getpid()}\\x1b[2J\\x1b[31m\")"),
                                 to: lessons + "/01-good.md")
        let outcome = try EndToEndTests().learnMP(["run", "greet", "--python"], lessons: lessons)
        #expect(outcome.code == 1, "\(outcome.stdout)\(outcome.stderr)")
        #expect(!outcome.stdout.unicodeScalars.contains("\u{1B}"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("␛[2J␛[31m"), "\(outcome.stdout)")
    }
}
