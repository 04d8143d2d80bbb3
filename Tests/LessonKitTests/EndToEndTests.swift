import Glibc
import Testing
@testable import LessonKit

/// Runs the built `learn-mp` on fixture lessons (Fixtures/lessons/<case>) in a scratch copy of
/// Fixtures/workspace whose demo "binaries" are small shell scripts, so nothing is compiled.
@Suite(.serialized) struct EndToEndTests {
    static let learnMP = packageRoot + "/.build/debug/learn-mp"

    struct Outcome {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Makes a scratch workspace and runs `learn-mp <arguments> --root … --lessons … --build-path …`.
    func learnMP(_ arguments: [String], lessons: String, marker: String = "0", seedResults: String? = nil) throws -> Outcome {
        #expect(FileSystem.exists(Self.learnMP), "build learn-mp first (swift build)")
        let root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-e2e")
        defer { FileSystem.removeTree(root) }
        try copyTree(fixtures + "/workspace", to: root)
        try FileSystem.makeDirectories(root + "/build/debug")
        let bin = root + "/build/debug/"
        try writeScript("echo \"Main process PID: $$\"\necho \"Worker A, Parent PID: $$\"\n", to: bin + "demo-greet")
        try writeScript("echo 'waiting forever'\nsleep \(marker) &\nsleep \(marker)\n", to: bin + "demo-hang")
        try writeScript("yes y\n", to: bin + "demo-flood")
        if let seedResults {
            try FileSystem.makeDirectories(root + "/build/learn-mp")
            try FileSystem.writeText(seedResults, to: root + "/build/learn-mp/results.json")
        }
        let lessonsPath = lessons.hasPrefix("/") ? lessons : fixtures + "/lessons/" + lessons
        let request = SpawnRequest(executable: Self.learnMP,
                                   arguments: arguments + ["--root", root, "--lessons", lessonsPath, "--build-path", root + "/build"],
                                   environment: Runner.environment(trace: nil).merging(["LEARN_MP_HOME": root + "/home"]) { $1 },
                                   directory: root, timeout: 20)
        let result = Spawn.run(request)
        guard case .exited(let code) = result.termination else {
            Issue.record("learn-mp did not exit: \(result.termination)\n\(result.stderr)")
            return Outcome(code: -1, stdout: result.stdout, stderr: result.stderr)
        }
        return Outcome(code: code, stdout: result.stdout, stderr: result.stderr)
    }

    func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func goodLessonVerifies() throws {
        let outcome = try learnMP(["verify", "all", "--python"], lessons: "good")
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(lastLine(outcome.stdout) == "2 passed, 0 failed")
        #expect(outcome.stdout.contains("✓ greet"))
        #expect(outcome.stdout.contains("✓ greet (Python)"))
        #expect(!outcome.stdout.contains("\u{1B}["), "no colour when piped")
    }

    @Test func goodLessonRendersAndRuns() throws {
        let outcome = try learnMP(["lesson", "1"], lessons: "good")
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("1. 好的课程"))
        #expect(outcome.stdout.contains("── Swift · demo-greet"))
        #expect(outcome.stdout.contains("✓ greet matches the expected output"))
        let listed = try learnMP(["lesson", "good", "--no-run"], lessons: "good")
        #expect(listed.code == 0)
        #expect(!listed.stdout.contains("✓"))
    }

    @Test func runOneDemo() throws {
        let outcome = try learnMP(["run", "demo-greet"], lessons: "good")
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("Worker A, Parent PID:"))
    }

    @Test func unclosedFence() throws {
        let outcome = try learnMP(["verify", "all"], lessons: "unclosed")
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("lessons/unclosed/01-unclosed.md:7: code block opened with ``` is never closed"))
        #expect(lastLine(outcome.stdout).hasSuffix("1 failed"))
    }

    @Test func outputBlockWithoutDemo() throws {
        let outcome = try learnMP(["verify", "all"], lessons: "orphan-output")
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("01-orphan.md:7: output block without demo=<slug>"))
        #expect(lastLine(outcome.stdout) == "0 passed, 1 failed")
    }

    @Test func demoWithoutTarget() throws {
        let outcome = try learnMP(["verify", "all"], lessons: "no-target")
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("01-no-target.md:5: demo 'missing-demo' has no source: Sources/Demos/missing-demo/main.swift does not exist"))
        #expect(lastLine(outcome.stdout) == "0 passed, 1 failed")
    }

    @Test func driftedCodeShowsADiff() throws {
        let outcome = try learnMP(["verify", "all"], lessons: "drift")
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("swift block of demo 'greet' differs from Sources/Demos/greet/main.swift"))
        #expect(outcome.stdout.contains("-print(\"Worker A, Parent PID: \\(getpid())\")"))
        #expect(outcome.stdout.contains("+print(\"Worker B, Parent PID: \\(getpid())\")"))
        #expect(outcome.stdout.contains("learn-mp sync"))
    }

    @Test func hangingDemoIsKilled() throws {
        let marker = "\(randomTag()).75"
        let outcome = try learnMP(["verify", "all"], lessons: "hang", marker: marker)
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("hang: still running after 1 s"))
        #expect(lastLine(outcome.stdout) == "0 passed, 1 failed")
        usleep(100_000)
        #expect(!processRunning(withMarker: "sleep \(marker)"), "the demo's children were killed")
    }

    @Test func terminatingLearnMPKillsTheRunningDemo() throws {
        let marker = "\(randomTag()).125"
        let root = try hangWorkspace(script: "echo 'waiting forever'\nsleep \(marker) &\nsleep \(marker)\n")
        defer { FileSystem.removeTree(root) }
        // The demo runs in a runner process of the pool, in its own process group: SIGTERM to
        // learn-mp alone must still take it down.
        let script = "\(Self.learnMP) verify all --root \(root) --build-path \(root)/build & pid=$!; sleep 1.5; kill -TERM $pid; wait $pid; echo rc=$?"
        let result = Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", script], environment: Runner.environment(trace: nil), timeout: 20))
        #expect(result.stdout.contains("rc=143"), "\(result.stdout)\(result.stderr)")
        usleep(200_000)
        #expect(!processRunning(withMarker: "sleep \(marker)"))
    }

    @Test func floodingDemoIsStopped() throws {
        let outcome = try learnMP(["verify", "all"], lessons: "flood")
        #expect(outcome.code == 1)
        #expect(outcome.stdout.contains("flood: more than 1048576 bytes of output"))
        #expect(lastLine(outcome.stdout) == "0 passed, 1 failed")
    }

    @Test func unknownLessonListsClosestMatches() throws {
        let outcome = try learnMP(["lesson", "goo"], lessons: "good")
        #expect(outcome.code == 2)
        #expect(outcome.stderr.contains("error: no lesson named 'goo'. Did you mean: good?"))
        let number = try learnMP(["lesson", "7"], lessons: "good")
        #expect(number.code == 2)
        #expect(number.stderr.contains("Lessons: 01-good"))
    }

    @Test func syncRewritesDriftedBlocks() throws {
        let lessons = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-sync")
        defer { FileSystem.removeTree(lessons) }
        try copyTree(fixtures + "/lessons/drift", to: lessons + "/drift")
        let check = try learnMP(["sync", "--check"], lessons: lessons + "/drift")
        #expect(check.code == 1)
        #expect(check.stdout.contains("out of date: greet"))
        let outcome = try learnMP(["sync"], lessons: lessons + "/drift")
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("updated greet"))
        #expect(try learnMP(["sync", "--check"], lessons: lessons + "/drift").code == 0)
        let workspace = try Workspace(root: fixtures + "/workspace", lessons: lessons + "/drift")
        let text = try FileSystem.readText(lessons + "/drift/01-drift.md")
        #expect(text.contains("Worker A, Parent PID"))
        #expect(!text.contains("Worker B"))
        #expect(try LessonLibrary(workspace: workspace).problems.isEmpty)
    }

    /// The real first lesson: its Swift demos (built by `swift build`) and the Python and
    /// Node.js originals all pass the same expected blocks.
    @Test func firstLessonPasses() throws {
        let workspace = try Workspace(root: packageRoot)
        let library = try LessonLibrary(workspace: workspace)
        let lesson = try library.lesson(named: "process")
        let builder = DemoBuilder(workspace: workspace)
        for sample in lesson.demos + lesson.exercises {
            if let reason = builder.staleReason(sample.checkedSlug!) {
                Issue.record("demo-\(sample.checkedSlug!) needs a build (\(reason)): run `swift build` before the tests")
                return
            }
        }
        let home = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-e2e-home")
        defer { FileSystem.removeTree(home) }
        let request = SpawnRequest(executable: Self.learnMP, arguments: ["verify", lesson.name, "--python", "--node", "--root", packageRoot],
                                   environment: Runner.environment(trace: nil).merging(["LEARN_MP_HOME": home]) { $1 },
                                   directory: packageRoot, timeout: 60)
        let result = Spawn.run(request)
        #expect(result.termination == .exited(0), "\(result.stdout)\(result.stderr)")
        // Each demo in three languages, and each exercise's reference solution.
        #expect(lastLine(result.stdout) == "\(lesson.demos.count * 3 + lesson.exercises.count) passed, 0 failed")
    }

    @Test func exportErrorsAreOneReadableLine() throws {
        // The scratch workspace has no site/ assets: export stops before writing anything.
        let out = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-e2e-out")
        defer { FileSystem.removeTree(out) }
        let outcome = try learnMP(["export", "--out", out + "/site"], lessons: "good")
        #expect(outcome.code == 2)
        #expect(outcome.stderr.hasPrefix("error: cannot read "), "\(outcome.stderr)")
        #expect(outcome.stderr.hasSuffix("/site/style.css: it does not exist (or a folder on the way does not)\n"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("NSCocoaErrorDomain"))
        #expect(FileSystem.list(out).isEmpty, "nothing written")
    }

    @Test func helpHasExamples() throws {
        for command in ["list", "lesson", "next", "run", "play", "hint", "verify", "sync"] {
            let outcome = try learnMP([command, "--help"], lessons: "good")
            #expect(outcome.code == 0)
            #expect(outcome.stdout.contains("learn-mp \(command)"), "\(command): \(outcome.stdout)")
        }
    }
}
