import Glibc
import Testing
@testable import Multiprocessing

@Suite("Process")
struct ProcessTests {
    @Test func exitCodeIsZeroAfterSuccess() throws {
        let p = Process { }
        #expect(p.exitCode == nil)
        try p.start()
        try p.join()
        #expect(p.exitCode == 0)
        #expect(!p.isAlive)
    }

    @Test func thrownErrorExitsWithOne() throws {
        struct Boom: Error {}
        let p = Process { throw Boom() }
        try p.start()
        try p.join()
        #expect(p.exitCode == 1)
    }

    @Test func killedChildReportsNegativeSignal() throws {
        let p = Process { sleep(30) }
        try p.start()
        try p.kill()
        try p.join()
        #expect(p.exitCode == -SIGKILL)
        let q = Process { sleep(30) }
        try q.start()
        try q.terminate()
        try q.join()
        #expect(q.exitCode == -SIGTERM)
    }

    @Test func joinTimeoutReturnsWhileRunning() throws {
        let p = Process { sleep(30) }
        try p.start()
        try p.join(timeout: 0.05)
        #expect(p.isAlive)
        #expect(p.exitCode == nil)
        try p.kill()
        try p.join()
    }

    @Test func startTwiceAndJoinUnstartedAreErrors() throws {
        let p = Process(name: "twice") { }
        #expect(throws: ProcessError.notStarted(name: "twice")) { try p.join() }
        try p.start()
        #expect(throws: ProcessError.alreadyStarted(name: "twice")) { try p.start() }
        try p.join()
    }

    @Test func exitCodeFromExit() throws {
        let p = Process { exit(7) }
        try p.start()
        try p.join()
        #expect(p.exitCode == 7)
    }

    @Test func defaultNamesFollowPython() throws {
        #expect(currentProcess().name == "MainProcess")
        let p = Process { }
        #expect(p.name.hasPrefix("Process-"))
        let named = Process(name: "MyWorker") { }
        #expect(named.name == "MyWorker")
    }

    @Test func closeWhileRunningIsAnError() throws {
        let p = Process(name: "busy") { sleep(30) }
        try p.start()
        #expect(throws: ProcessError.stillRunning(name: "busy")) { try p.close() }
        try p.kill()
        try p.join()
        try p.close()
    }

    @Test func activeChildrenReapsFinished() throws {
        let quick = Process { }
        let slow = Process { sleep(30) }
        try quick.start()
        try slow.start()
        while quick.isAlive { usleep(1000) }
        let active = activeChildren()
        #expect(active.contains { $0 === slow })
        #expect(!active.contains { $0 === quick })
        try slow.kill()
        try slow.join()
    }

    @Test func subclassOverridesRun() throws {
        final class Exiter: Process, @unchecked Sendable {
            override func run() throws { exit(currentProcess().name == "custom" ? 3 : 4) }
        }
        let p = Exiter(name: "custom")
        try p.start()
        try p.join()
        #expect(p.exitCode == 3)
    }

    @Test func thousandCyclesLeaveNoZombie() throws {
        for _ in 0..<1000 {
            let p = Process { }
            try p.start()
            try p.join()
        }
        // waitpid(-1, WNOHANG) finds no unreaped child of ours.
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) <= 0)
    }
}
