import Testing
@testable import LessonKit

/// A learner's progress: what was read and checked, stale checks, what comes next.
@Suite(.serialized) struct ProgressTests {
    /// A scratch copy of the fixture workspace with the `good` lesson and a learner home.
    struct Scratch {
        var root: String
        var lessonFile: String { root + "/lessons/01-good.md" }

        init() throws {
            root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-progress")
            try copyTree(fixtures + "/workspace", to: root)
            try copyTree(fixtures + "/lessons/good", to: root + "/lessons")
            try FileSystem.makeDirectories(root + "/build/debug")
            try writeScript("echo \"Main process PID: $$\"\necho \"Worker A, Parent PID: $$\"\n", to: root + "/build/debug/demo-greet")
        }

        /// Runs `learn-mp <arguments>`; returns its standard output.
        func learnMP(_ arguments: [String], environment: [String: String] = [:]) -> String {
            let request = SpawnRequest(executable: packageRoot + "/.build/debug/learn-mp",
                                       arguments: arguments + ["--root", root, "--lessons", root + "/lessons", "--build-path", root + "/build"],
                                       environment: Runner.environment(trace: nil).merging(["LEARN_MP_HOME": root + "/home"].merging(environment) { $1 }) { $1 },
                                       directory: root, timeout: 30)
            let result = Spawn.run(request)
            #expect(result.termination != .failedToStart(""), "\(result.stderr)")
            return result.stdout
        }
    }

    @Test func listShowsReadPassedAndStaleAndNextOpensTheLesson() throws {
        let scratch = try Scratch()
        defer { FileSystem.removeTree(scratch.root) }
        let original = try FileSystem.readText(scratch.lessonFile)

        var list = scratch.learnMP(["list"])
        #expect(list.contains("unread") && list.contains("0/1 passed") && list.contains("not run yet"), "\(list)")
        #expect(list.contains("Next: 1. 好的课程"))

        let shown = scratch.learnMP(["next"])
        #expect(shown.contains("1. 好的课程") && shown.contains("✓ greet matches"), "next opens the first unread lesson: \(shown)")
        #expect(shown.hasSuffix("Next: every lesson is read and passed; `learn-mp play <demo>` to experiment\n"), "\(shown)")
        // (COLUMNS=80 from the runner's environment: the line fits.)
        list = scratch.learnMP(["list"])
        #expect(list.contains("read  1/1 passed") && list.contains("Swift ✓") && !list.contains("stale"), "\(list)")
        #expect(!list.contains("Next:"))

        // The expected output changes: the check no longer says anything about the lesson.
        try FileSystem.writeText(original.replacingOccurrences("Worker A, Parent PID: [PID:main]", "Worker B, Parent PID: [PID:main]"), to: scratch.lessonFile)
        list = scratch.learnMP(["list"])
        #expect(list.contains("Swift ✓ stale") && list.contains("0/1 passed"), "\(list)")
        #expect(list.contains("Next: 1. 好的课程"), "a lesson with a stale check is next again")
        let failing = scratch.learnMP(["lesson", "1"])
        #expect(failing.contains("✗ greet"))
        #expect(scratch.learnMP(["list"]).contains("Swift ✗"))

        // Changed back: the earlier failure is stale, not a current ✗.
        try FileSystem.writeText(original, to: scratch.lessonFile)
        list = scratch.learnMP(["list"])
        #expect(list.contains("Swift ✗ stale"), "\(list)")
        _ = scratch.learnMP(["run", "greet"])
        list = scratch.learnMP(["list"])
        #expect(list.contains("Swift ✓") && !list.contains("stale") && list.contains("1/1 passed"), "\(list)")
        #expect(try FileSystem.readText(scratch.lessonFile) == original, "no command wrote to the lesson")
        #expect(scratch.learnMP(["next"]).hasPrefix("Every lesson is read and every demo passed."))
    }

    @Test func aRunLessonFitsANarrowTerminalToo() throws {
        let scratch = try Scratch()
        defer { FileSystem.removeTree(scratch.root) }
        for colour in ["never", "always"] {
            let shown = scratch.learnMP(["lesson", "1", "--color", colour], environment: ["COLUMNS": "24"])
            #expect(shown.contains("Main process PID:") && shown.contains("greet"), "\(shown)")
            for line in shown.split(separator: "\n") {
                #expect(TerminalWidthTests.problems(line, width: 24).isEmpty, "\(String(reflecting: String(line)))")
            }
        }
    }

    @Test func fingerprintsAndTheNextLesson() throws {
        let text = "---\ntitle: T\n---\n\n```swift demo=x\nprint(1)\n```\n\n```output demo=x\n1\n```\n"
        let (first, _) = LessonParser.parse(text, path: "lessons/01-t.md")
        let (second, _) = LessonParser.parse(text.replacingOccurrences("T\n", "U\n"), path: "lessons/02-u.md")
        let (changed, _) = LessonParser.parse(text.replacingOccurrences("\n1\n", "\n2\n"), path: "lessons/01-t.md")
        var progress = Progress()
        #expect(progress.next(in: [first, second])?.name == "01-t")
        progress.markRead(first)
        #expect(progress.next(in: [first, second])?.name == "02-u")
        progress.markRead(second)
        #expect(progress.next(in: [first, second])?.name == "01-t", "read, but its demo has not passed")
        let job = RunJob(lesson: "01-t", demo: "x", runtime: .swift, executable: "/bin/true", files: [], expected: "1\n",
                         expectedExit: 0, timeout: 5, outputLimit: 1024)
        let spawn = SpawnResult(stdout: "1\n", stderr: "", termination: .exited(0), seconds: 0.1, timedOut: false, flooded: false)
        progress.record([Runner.check(job, spawn)], played: false) { _ in "print(1)\n" }
        #expect(progress.status(of: first.demos[0], .swift) == .checked(passed: true))
        #expect(progress.status(of: changed.demos[0], .swift) == .stale(passed: true))
        #expect(progress.status(of: first.demos[0], .python) == .notRun)
        #expect(progress.next(in: [first, second]) == nil)
        #expect(Progress.fingerprint(program: "a", expected: "bc") != Progress.fingerprint(program: "ab", expected: "c"))

        // Saved and read back; a file without the newer fields keeps what it has.
        let file = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-progress") + "/progress.json"
        defer { FileSystem.removeTree(String(file.dropLast("/progress.json".count))) }
        try progress.save(file)
        #expect(Progress.load(file) == progress)
        try FileSystem.writeText(#"{"read": {"01-t": 5}}"#, to: file)
        #expect(Progress.load(file).read == ["01-t": 5])
    }
}
