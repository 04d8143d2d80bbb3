import Glibc
import Testing
import Multiprocessing
@testable import LessonKit

@Suite("Process observer", .serialized)
struct ProcessObserverTests {
    /// A real program: its child forks a grandchild, the main process starts a thread; each
    /// prints its id and lives long enough to be sampled several times.
    static let program = """
    import os, sys, threading, time
    t = threading.Thread(target=time.sleep, args=(0.6,))
    t.start()
    print("thread", t.native_id, flush=True)
    child = os.fork()
    if child == 0:
        grandchild = os.fork()
        if grandchild == 0:
            time.sleep(0.6)
            os._exit(0)
        print("grandchild", grandchild, flush=True)
        os.waitpid(grandchild, 0)
        os._exit(0)
    print("child", child, flush=True)
    os.waitpid(child, 0)
    t.join()
    """

    @Test func seesAForkedGrandchildAndAThreadOfARealProcess() throws {
        var observer: ProcessObserver?
        let result = Spawn.run(SpawnRequest(executable: "python3", arguments: ["-c", Self.program], timeout: 30), onPoll: { pid in
            if observer == nil { observer = ProcessObserver(root: pid) }
            observer?.sample()
        })
        #expect(result.termination == .exited(0), "\(result.stderr)")
        var ids: [String: Int32] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let id = Int32(parts[1]) { ids[String(parts[0])] = id }
        }
        let child = try #require(ids["child"], "\(result.stdout) \(result.stderr)"), grandchild = try #require(ids["grandchild"]), thread = try #require(ids["thread"])
        let observed = try #require(observer)
        let events = observed.events(termination: result.termination)
        #expect(events.allSatisfy { $0.source == .observer })

        let timeline = Timeline(events: events)
        let rows = Dictionary(uniqueKeysWithValues: timeline.rows.map { ($0.pid, $0) })
        let root = try #require(timeline.rows.first)
        #expect(root.pid == observed.root && root.isMain)
        #expect(rows[child]?.parent == observed.root)
        #expect(rows[grandchild]?.parent == child)
        #expect(rows[grandchild]?.depth == 2)
        // The grandchild slept 0.6 s: seen for most of it, ended before the run did.
        let life = try #require(rows[grandchild].map { $0.end - $0.start })
        #expect(life >= 300_000_000, "grandchild seen for \(life) ns")
        #expect(try #require(rows[grandchild]).end <= timeline.duration)
        #expect(root.threads.contains { $0.tid == thread && !$0.reported })
        // The demo's own end carries the exit code the runner reaped.
        #expect(events.contains { $0.pid == observed.root && $0.kind == .processExited(exitCode: 0, cpu: $0.cpuIfExit) })
    }

    @Test func cpuTimeIsMeasured() throws {
        var observer: ProcessObserver?
        // Spins until it has used 0.3 s of CPU, however loaded the machine is.
        let busy = "import time\nwhile time.process_time() < 0.3: pass\n"
        let result = Spawn.run(SpawnRequest(executable: "python3", arguments: ["-c", busy], timeout: 30), onPoll: { pid in
            if observer == nil { observer = ProcessObserver(root: pid) }
            observer?.sample()
        })
        #expect(result.termination == .exited(0))
        let timeline = Timeline(events: try #require(observer).events(termination: result.termination))
        // The last sample may come up to a period before the end; ticks are 10 ms.
        let cpu = try #require(timeline.rows.first?.cpu)
        #expect(cpu >= 200_000_000, "cpu \(cpu) ns")
    }

    @Test func parsesStatWithAwkwardNames() {
        let path = "/tmp/learn-mp-stat-\(getpid())"
        defer { unlink(path) }
        let text = "42 (a) b (c)) S 7 42 42 0 -1 4194560 100 0 0 0 25 13 0 0 20 0 1 0 9876 1000 100\n"
        try? FileSystem.writeText(text, to: path)
        let stat = ProcessObserver.stat(path)
        #expect(stat?.name == "a) b (c)")
        #expect(stat?.parent == 7)
        #expect(stat?.cpuTicks == 38)
        #expect(stat?.startTicks == 9876)
        #expect(ProcessObserver.stat("/proc/0/stat") == nil)
    }
}

extension TraceEvent {
    /// The CPU time of an exit event (to compare exits whatever CPU was measured).
    fileprivate var cpuIfExit: UInt64? {
        if case .processExited(_, let cpu) = kind { return cpu }
        return nil
    }
}
