import Glibc
import Testing
@testable import LessonKit

@Suite(.serialized) struct SpawnTests {
    func sh(_ script: String, timeout: Double? = 5, limit: Int = 1 << 20, directory: String? = nil) -> SpawnResult {
        Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", script], environment: Runner.environment(trace: nil),
                               directory: directory, timeout: timeout, outputLimit: limit))
    }

    @Test func capturesOutputAndExitCode() {
        let result = sh("echo out; echo err >&2; exit 3")
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(result.termination == .exited(3))
        #expect(!result.timedOut && !result.flooded)
    }

    @Test func environmentIsFixedAndClean() {
        setenv("PYTHONUNBUFFERED", "1", 1)
        defer { unsetenv("PYTHONUNBUFFERED") }
        let result = sh("env | sort")
        let names = result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "=" }) }.filter { $0 != "PWD" && $0 != "SHLVL" && $0 != "_" }
        #expect(names == ["COLUMNS", "HOME", "LANG", "NO_COLOR", "PATH", "TZ"])
        #expect(result.stdout.contains("LANG=C.UTF-8\n"))
        #expect(result.stdout.contains("TZ=UTC\n"))
    }

    @Test func runsInTheGivenDirectory() throws {
        let directory = try FileSystem.makeTemporaryDirectory()
        defer { FileSystem.removeTree(directory) }
        #expect(sh("pwd", directory: directory).stdout == directory + "\n")
        #expect(FileSystem.currentDirectory != directory, "the caller's directory is restored")
    }

    @Test func aHangIsKilledWithItsWholeProcessGroup() {
        let marker = "\(randomTag()).5"
        let result = sh("sleep \(marker) & echo started; sleep \(marker)", timeout: 0.5)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        #expect(result.stdout == "started\n")
        usleep(100_000)
        #expect(!processRunning(withMarker: "sleep \(marker)"), "the background child was killed too")
    }

    @Test func helpersLeftBehindAreKilledWhenTheProgramEnds() {
        let marker = "\(randomTag()).25"
        let result = sh("sleep \(marker) >/dev/null 2>&1 & echo done")
        #expect(result.termination == .exited(0))
        #expect(result.stdout == "done\n")
        usleep(100_000)
        #expect(!processRunning(withMarker: "sleep \(marker)"))
    }

    @Test func aFloodIsStopped() {
        let result = sh("yes flood", limit: 64 * 1024)
        #expect(result.flooded)
        #expect(result.stdout.utf8.count == 64 * 1024)
        #expect(result.termination == .signaled(SIGKILL))
    }

    @Test func aCrashIsReportedWithItsSignal() {
        let result = sh("kill -SEGV $$")
        #expect(result.termination == .signaled(SIGSEGV))
        #expect(result.termination.description.contains("SIGSEGV"))
    }

    @Test func aMissingProgramIsReported() {
        let result = Spawn.run(SpawnRequest(executable: "/nonexistent/demo-x"))
        if case .failedToStart(let reason) = result.termination {
            #expect(reason.contains("/nonexistent/demo-x"))
        } else {
            Issue.record("\(result.termination)")
        }
    }

    /// The runner's pipes and files are close-on-exec: a program gets standard input, output and
    /// error, and only what this process itself leaves inheritable, also while other threads
    /// spawn at the same moment (a pipe made without O_CLOEXEC would leak into them).
    @Test func aProgramInheritsNoDescriptorOfTheRunner() async {
        let inheritable = Set(FileSystem.list("/proc/self/fd").filter { fd in
            // The listing's own descriptor is gone by now.
            guard let info = try? FileSystem.readText("/proc/self/fdinfo/\(fd)") else { return false }
            let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") }.flatMap { Int($0.dropFirst(6).trimmed(of: "\t "), radix: 8) } ?? 0
            return flags & 0o2000000 == 0
        })
        let listings = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { Spawn.run(SpawnRequest(executable: "/bin/ls", arguments: ["/proc/self/fd"])).stdout } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for listing in listings {
            // ls itself has the directory it lists open (3).
            let extra = Set(listing.split(separator: "\n").map(String.init)).subtracting(inheritable).subtracting(["0", "1", "2", "3"])
            #expect(extra.isEmpty, "inherited: \(extra.sorted())")
        }
    }

    @Test func aProgramNotInPATHIsReportedWithoutRunningAnything() {
        let result = Spawn.run(SpawnRequest(executable: "learn-mp-no-such-program-\(randomTag())", environment: ["PATH": "/usr/bin:/bin"]))
        guard case .failedToStart(let reason) = result.termination else { Issue.record("\(result.termination)"); return }
        #expect(reason.hasSuffix(": not found in PATH"), "\(reason)")
    }

    @Test func leavesNoZombies() {
        for _ in 0..<5 { _ = sh("true") }
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0, "every child was reaped")
    }
}

@Suite(.serialized) struct RunnerTests {
    func job(_ script: String, expected: String, exit: Int32 = 0, timeout: Double = 5, files: [InputFile] = []) -> RunJob {
        RunJob(lesson: "t", demo: "t", runtime: .python, executable: "/bin/sh", script: script, files: files,
               expected: expected, expectedExit: exit, timeout: timeout, outputLimit: 1 << 20)
    }

    @Test func inputFilesAreInTheWorkingDirectoryAndTheScriptIsNot() {
        let result = Runner.run(job("ls; cat data.txt", expected: "data.txt\nsub\nhello\n",
                                    files: [InputFile(name: "data.txt", contents: "hello\n"), InputFile(name: "sub/x.py", contents: "")]))
        #expect(result.passed, "\(result.problems) \(result.spawn.stdout)")
    }

    @Test func expectedExitCode() {
        #expect(Runner.run(job("echo hi; exit 1", expected: "hi\n", exit: 1)).passed)
        let failed = Runner.run(job("echo hi; exit 2", expected: "hi\n", exit: 1))
        #expect(!failed.passed)
        #expect(failed.problems == ["exit code 2, expected 1 (exit=1)"])
    }

    @Test func mismatchReportsTheDiff() {
        let result = Runner.run(job("echo a; echo c", expected: "a\nb\n"))
        #expect(!result.passed)
        #expect(result.problems == ["output does not match the expected block"])
        #expect(result.diff.contains("-b\n+c\n"))
    }

    @Test func hangIsNamed() {
        let result = Runner.run(job("sleep 10", expected: "", timeout: 0.3))
        #expect(!result.passed)
        #expect(result.problems.first?.hasPrefix("hang: still running after 0.3 s") == true)
    }

    @Test func parallelSchedulerRunsEveryJobInOrder() {
        let jobs = (0..<5).map { job("echo \($0)", expected: "\($0)\n") }
        var reported = 0
        let results = ProcessFanOut(width: 2).run(jobs) { _, _ in reported += 1 }
        #expect(reported == 5)
        #expect(results.map(\.spawn.stdout) == (0..<5).map { "\($0)\n" })
        #expect(results.allSatisfy { $0.passed })
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0, "runner processes were reaped")
    }
}

@Suite(.serialized) struct ThreadSchedulerTests {
    func shellJob(_ index: Int, script: String, timeout: Double = 5) -> RunJob {
        RunJob(lesson: "t", demo: "d\(index)", runtime: .python, executable: "/bin/sh", script: script, files: [],
               expected: "\(index)\n", expectedExit: 0, timeout: timeout, outputLimit: 1 << 20)
    }

    @Test func threadSchedulerRunsEveryJob() {
        let jobs = (0..<6).map { shellJob($0, script: "echo \($0)") }
        var reported: [Int] = []
        let results = ThreadScheduler(width: 2).run(jobs) { index, _ in reported.append(index) }
        #expect(reported.sorted() == Array(0..<6))
        #expect(results.map(\.job.demo) == jobs.map(\.demo))
        #expect(results.allSatisfy { $0.passed }, "\(results.map(\.problems))")
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0, "every program was reaped")
    }

    @Test func jobsRunAtOnceUpToTheWidth() {
        // Four jobs of 0.5 s on four threads take about 0.5 s, not 2 s.
        let jobs = (0..<4).map { shellJob($0, script: "sleep 0.5; echo \($0)") }
        let start = monotonicSeconds()
        let results = ThreadScheduler(width: 4).run(jobs) { _, _ in }
        #expect(results.allSatisfy { $0.passed })
        #expect(monotonicSeconds() - start < 1.8)
    }

    @Test func theOverallDeadlineEndsTheRun() {
        let jobs = [shellJob(0, script: "echo 0"), shellJob(1, script: "sleep 3; echo 1", timeout: 10)]
        let start = monotonicSeconds()
        var reported: [Int] = []
        let results = ThreadScheduler(width: 2, deadline: 1).run(jobs) { index, _ in reported.append(index) }
        #expect(monotonicSeconds() - start < 2.5)
        #expect(reported.sorted() == [0, 1])
        #expect(results[0].passed)
        #expect(!results[1].passed)
        #expect(results[1].problems.first?.contains("overall deadline (1 s)") == true, "\(results[1].problems)")
        #expect(ThreadScheduler.deadline(for: jobs, width: 2) == 10 + 7.5 + 60)
    }
}

@Suite(.serialized) struct LiveOutputTests {
    @Test func liveOutputComesInWholeLinesAndAddsUpToStdout() {
        var chunks: [String] = []
        let result = Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", "printf '进程 1\\n进'; sleep 0.1; printf '程 2\\nend'"],
                                            environment: Runner.environment(trace: nil), timeout: 5)) { chunks.append($0) }
        #expect(chunks.joined() == result.stdout)
        #expect(chunks.dropLast().allSatisfy { $0.hasSuffix("\n") })
        #expect(chunks.first == "进程 1\n")
    }
}

@Suite struct MinimumTimeTests {
    func job(minimum: Double?) -> RunJob {
        RunJob(lesson: "t", demo: "semaphore", runtime: .python, executable: "python3", script: "", files: [],
               expected: "done\n", expectedExit: 0, timeout: 30, facts: minimum.map { [.minTime($0)] } ?? [], outputLimit: 1 << 20)
    }

    func spawn(seconds: Double) -> SpawnResult {
        SpawnResult(stdout: "done\n", stderr: "", termination: .exited(0), seconds: seconds, timedOut: false, flooded: false)
    }

    @Test func aRunFasterThanMinTimeFailsAndSaysWhy() {
        let result = Runner.check(job(minimum: 2.8), spawn(seconds: 1.0234))
        #expect(!result.passed)
        #expect(result.problems == ["semaphore (Python): min-time 2.8 s: at least 2.8 s expected, took 1.02 s: work that should wait for its turn ran at once"],
                "\(result.problems)")
    }

    @Test func aRunThatTakesLongEnoughPasses() {
        #expect(Runner.check(job(minimum: 2.8), spawn(seconds: 3.05)).passed)
        #expect(Runner.check(job(minimum: nil), spawn(seconds: 0.01)).passed)
    }

    @Test func minTimeIsReadFromTheOutputBlock() {
        let text = "---\ntitle: t\n---\n\n```swift demo=t\nprint(1)\n```\n\n```output demo=t min-time=2.8\n1\n```\n"
        let parsed = LessonParser.parse(text, path: "lessons/99-t.md")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.lesson.samples.first?.output?.facts == [.minTime(2.8)])
        for bad in ["min-time=0", "min-time=soon", "mintime=2", "min-time=inf", "min-time=nan", "min-time=-1"] {
            let broken = LessonParser.parse(text.replacingOnce("min-time=2.8", with: bad), path: "lessons/99-t.md")
            #expect(broken.problems.count == 1, "\(bad): \(broken.problems)")
        }
    }
}
