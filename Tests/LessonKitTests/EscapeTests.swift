import Glibc
import Testing
@testable import LessonKit

/// Programs that try to outlive their run: every one is gone when the run ends, and the run
/// says so.
@Suite(.serialized) struct EscapeTests {
    func sh(_ script: String, timeout: Double = 10) -> SpawnResult {
        Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", script], environment: Runner.environment(trace: nil),
                               timeout: timeout))
    }


    @Test func aGrandchildInItsOwnSessionIsKilledAndReported() {
        let marker = "\(randomTag()).5"
        let result = sh("python3 -c 'import os, time; os.setsid(); time.sleep(\(marker))' >/dev/null 2>&1 & sleep 0.3; echo done")
        #expect(result.termination == .exited(0))
        #expect(result.leftRunning.count == 1, "\(result.leftRunning)")
        #expect(result.leftRunning.first?.contains("own session") == true, "\(result.leftRunning)")
        #expect(processGone(withMarker: "time.sleep(\(marker))", within: 0.5), "killed before the run returned")
    }

    @Test func aGrandchildInItsOwnProcessGroupIsKilled() {
        let marker = "\(randomTag()).5"
        let result = sh("python3 -c 'import os, time; os.setpgid(0, 0); time.sleep(\(marker))' >/dev/null 2>&1 & sleep 0.3; echo done")
        #expect(result.leftRunning.count == 1, "\(result.leftRunning)")
        #expect(processGone(withMarker: "time.sleep(\(marker))", within: 0.5))
    }

    /// The classic daemon: fork, setsid, fork again, the middle process exits at once, so the
    /// grandchild is an orphan in a session of its own before the program ends.
    @Test func aDoubleForkedDaemonIsKilled() {
        let marker = "\(randomTag()).5"
        let daemon = "import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.closerange(0, 3)\n        time.sleep(\(marker))\n    os._exit(0)\ntime.sleep(0.3)\nprint('parent done')\n"
        let result = Spawn.run(SpawnRequest(executable: "python3", arguments: ["-c", daemon], environment: Runner.environment(trace: nil), timeout: 10))
        #expect(result.stdout == "parent done\n")
        #expect(result.leftRunning.count == 1, "\(result.leftRunning)")
        #expect(processGone(withMarker: "time.sleep(\(marker))", within: 0.5))
    }

    @Test func aHangingProgramsEscapedGrandchildIsKilled() {
        let marker = "\(randomTag()).5"
        let result = sh("python3 -c 'import os, time; os.setsid(); time.sleep(\(marker))' >/dev/null 2>&1 & exec sleep \(marker)", timeout: 0.8)
        #expect(result.timedOut)
        #expect(processGone(withMarker: String(marker), within: 0.5))
    }

    @Test func helpersThatFinishInTimeAreNotReported() {
        let result = sh("(sleep 0.3; true) >/dev/null 2>&1 & echo done")
        #expect(result.termination == .exited(0))
        #expect(result.leftRunning.isEmpty, "\(result.leftRunning)")
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0, "the orphan was reaped")
    }

    @Test func theRunFailsAndNamesTheProcessLeftRunning() {
        let marker = "\(randomTag()).5"
        let job = RunJob(lesson: "t", demo: "t", runtime: .python, executable: "/bin/sh",
                         script: "setsid sleep \(marker) >/dev/null 2>&1 &\nsleep 0.3\necho hi\n",
                         files: [], expected: "hi\n", expectedExit: 0, timeout: 10, outputLimit: 1 << 20)
        let result = Runner.run(job)
        #expect(!result.passed)
        #expect(result.problems.first?.hasPrefix("left running: 1 process it started outlived it and was killed") == true, "\(result.problems)")
        #expect(result.problems.first?.contains("sleep") == true)
        #expect(processGone(withMarker: "sleep \(marker)", within: 0.5))
    }
}
