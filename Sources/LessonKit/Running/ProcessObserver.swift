import Multiprocessing

/// The kernel's view of a running demo: every process and thread it creates, whatever its
/// language, sampled from `/proc` while it runs.
///
/// Each ``sample()`` walks the process tree down from the demo (`/proc/<pid>/task/*/children`),
/// and from the runner's own children (where a process orphaned by the demo is reparented when
/// the runner is a child subreaper), reading each process's and thread's `stat`: parent,
/// command name, CPU time (user + system). A process or thread is dated from the sample that
/// first saw it to the last that did; one that lives less than a sampling period may be
/// missed. ``events(termination:)`` gives what was seen as trace events marked
/// ``TraceEvent/Source-swift.enum/observer``, which ``Timeline`` merges with the program's own:
/// the program's names and exit codes win, the observer fills in the rest.
///
/// Costs, per sample: one `stat` read per process and two reads per thread (its `stat` and its
/// `children`). Samples closer together than ``minimumInterval`` are skipped.
public final class ProcessObserver {
    /// The demo's process id.
    public let root: Int32
    /// Nanoseconds: samples closer together than this are skipped.
    public var minimumInterval: UInt64 = 2_000_000

    /// What was seen of one process or thread.
    struct Seen {
        var parent: Int32
        var name: String
        var firstSeen: UInt64
        var lastSeen: UInt64
        /// Clock ticks of CPU time (user + system).
        var cpuTicks: UInt64
        /// The kernel's start time in ticks since boot: tells a reused pid from the old one.
        var startTicks: UInt64
    }

    /// Processes by pid, and finished ones (a pid seen again with another start).
    private var processes: [Int32: Seen] = [:]
    private var processOrder: [Int32] = []
    /// Threads other than a process's main thread, by (pid, tid).
    private var threads: [ThreadKey: Seen] = [:]
    private var threadOrder: [ThreadKey] = []
    private var retired: [(pid: Int32, seen: Seen)] = []
    private var lastSample: UInt64 = 0
    /// When the demo's process last ran a new program (exec), if it did after the first sample:
    /// a launcher (a version manager's shell shim) ran before it.
    private var rootExec: UInt64?

    private struct ThreadKey: Hashable { var pid: Int32; var tid: Int32 }

    /// `/proc` reports CPU time in `USER_HZ` ticks, 100 a second on every Linux.
    static let nanosecondsPerTick: UInt64 = 10_000_000

    /// Observes the process `root` and its descendants.
    public init(root: Int32) {
        self.root = root
    }

    /// Looks at the process tree once (unless the last look was under ``minimumInterval`` ago).
    public func sample() {
        let now = Trace.now
        guard now &- lastSample >= minimumInterval else { return }
        lastSample = now
        var frontier: [Int32] = [root]
        for task in FileSystem.list("/proc/self/task") {
            frontier += Self.children(at: "/proc/self/task/\(task)/children")
        }
        var visited: Set<Int32> = []
        while let pid = frontier.popLast() {
            guard visited.insert(pid).inserted, let stat = Self.stat("/proc/\(pid)/stat") else { continue }
            note(pid: pid, stat: stat, now: now)
            for task in FileSystem.list("/proc/\(pid)/task") {
                guard let tid = Int32(task) else { continue }
                frontier += Self.children(at: "/proc/\(pid)/task/\(task)/children")
                guard tid != pid, let threadStat = Self.stat("/proc/\(pid)/task/\(task)/stat") else { continue }
                let key = ThreadKey(pid: pid, tid: tid)
                if var seen = threads[key] {
                    seen.lastSeen = now
                    seen.cpuTicks = max(seen.cpuTicks, threadStat.cpuTicks)
                    seen.name = threadStat.name
                    threads[key] = seen
                } else {
                    threads[key] = Seen(parent: pid, name: threadStat.name, firstSeen: now, lastSeen: now,
                                        cpuTicks: threadStat.cpuTicks, startTicks: threadStat.startTicks)
                    threadOrder.append(key)
                }
            }
        }
    }

    private func note(pid: Int32, stat: Stat, now: UInt64) {
        if var seen = processes[pid], seen.startTicks == stat.startTicks {
            // A zombie has ended: it was last seen alive before.
            if !stat.isZombie { seen.lastSeen = now }
            seen.cpuTicks = max(seen.cpuTicks, stat.cpuTicks)
            // A process that runs a new program (exec) changes its name; a zombie keeps it.
            if !stat.isZombie, seen.name != stat.name {
                seen.name = stat.name
                if pid == root { rootExec = now }
            }
            processes[pid] = seen
            return
        }
        if let old = processes[pid] { retired.append((pid, old)) } else { processOrder.append(pid) }
        processes[pid] = Seen(parent: stat.parent, name: stat.name, firstSeen: now, lastSeen: now,
                              cpuTicks: stat.cpuTicks, startTicks: stat.startTicks)
    }

    /// What was seen, as trace events: a start and an end for every process and thread. The
    /// demo's own end carries its exit code (or signal) when `termination` gives one.
    ///
    /// When the demo's process ran a new program after it was first seen (`python3` is a
    /// shell shim that ends in `exec`), its start is that moment, and the processes that were
    /// gone by then (the launcher's helpers, not the program's) are left out.
    public func events(termination: Termination? = nil) -> [TraceEvent] {
        var events: [TraceEvent] = []
        func add(pid: Int32, _ seen: Seen, isRoot: Bool) {
            if let rootExec, !isRoot, seen.lastSeen < rootExec { return }
            let start = isRoot ? max(seen.firstSeen, rootExec ?? 0) : seen.firstSeen
            events.append(TraceEvent(.processStarted(parent: seen.parent, name: seen.name, runtime: nil), pid: pid,
                                     time: start, source: .observer))
            var code: Int32?
            if isRoot {
                switch termination {
                case .exited(let value)?: code = value
                case .signaled(let signal)?: code = -signal
                default: break
                }
            }
            events.append(TraceEvent(.processExited(exitCode: code, cpu: seen.cpuTicks * Self.nanosecondsPerTick),
                                     pid: pid, time: seen.lastSeen, source: .observer))
        }
        for (pid, seen) in retired { add(pid: pid, seen, isRoot: false) }
        for pid in processOrder { if let seen = processes[pid] { add(pid: pid, seen, isRoot: pid == root) } }
        for key in threadOrder {
            guard let seen = threads[key], seen.lastSeen >= (rootExec ?? 0) else { continue }
            events.append(TraceEvent(.threadStarted(name: seen.name), pid: key.pid, thread: key.tid,
                                     time: seen.firstSeen, source: .observer))
            events.append(TraceEvent(.threadExited(cpu: seen.cpuTicks * Self.nanosecondsPerTick), pid: key.pid,
                                     thread: key.tid, time: seen.lastSeen, source: .observer))
        }
        return events
    }

    // MARK: - Reading /proc

    /// The fields of a `stat` file the observer uses.
    struct Stat {
        var name: String
        var parent: Int32
        var cpuTicks: UInt64
        var startTicks: UInt64
        var isZombie: Bool
    }

    /// Parses `/proc/<pid>/stat` (or a thread's): `pid (comm) state ppid … utime stime …
    /// starttime …`. The command name may hold spaces and parentheses: it ends at the last `)`.
    static func stat(_ path: String) -> Stat? {
        guard let bytes = FileSystem.readSmall(path), let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After the name: state(0) ppid(1) … utime(11) stime(12) … starttime(19).
        guard fields.count > 19 else { return nil }
        func number(_ index: Int) -> UInt64? {
            var value: UInt64 = 0
            for byte in fields[index] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value &* 10 &+ UInt64(byte - 48)
            }
            return value
        }
        guard let parent = number(1), let user = number(11), let system = number(12), let start = number(19) else { return nil }
        return Stat(name: String(decoding: bytes[(open + 1)..<close], as: UTF8.self), parent: Int32(truncatingIfNeeded: parent),
                    cpuTicks: user + system, startTicks: start, isZombie: fields[0].first == UInt8(ascii: "Z"))
    }

    /// The pids listed in a `children` file.
    static func children(at path: String) -> [Int32] {
        guard let bytes = FileSystem.readSmall(path), !bytes.isEmpty else { return [] }
        return bytes.split(whereSeparator: { $0 == 32 || $0 == 10 }).compactMap { Int32(String(decoding: $0, as: UTF8.self)) }
    }
}
