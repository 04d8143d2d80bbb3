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
/// `TraceEvent.Source.observer`, which ``Timeline`` merges with the program's own:
/// the program's names and exit codes win, the observer fills in the rest.
///
/// Samples come every 40 ms while the process tree is steady, and as often as they are asked
/// for (``Spawn`` asks every 10 ms; at most every 8 ms) for 100 ms after
/// a process appears or ends (a pool starting its workers one after another): lifetimes are
/// dated to within a sampling period, and a program's own events, where it or its hook reports
/// them, date its processes exactly. Costs, per sample: two `pread`s per process (its `stat`
/// and its main thread's `children`, kept open); every ``fullSampleEvery`` samples also a
/// thread listing and a `children` and a `stat` read per thread, so a thread is dated to
/// within a full sample, its CPU time is as of its last full sample, and a process forked by
/// a thread other than the main one is found by the next full sample.
public final class ProcessObserver {
    /// The demo's process id.
    public let root: Int32
    /// Nanoseconds between samples while the process tree changes (a process appeared or
    /// ended in the last ``settleTime``)...
    public var minimumInterval: UInt64 = 8_000_000
    /// ...and while it does not.
    public var steadyInterval: UInt64 = 40_000_000
    /// How long after a change the denser sampling lasts.
    public var settleTime: UInt64 = 100_000_000
    /// Every this many samples, a full one: every thread's `children` (a process that a
    /// helper thread forked) and `stat` (its CPU time and name). The others read the main
    /// thread's `children` and list the threads.
    public var fullSampleEvery = 4

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
        /// Seen as a zombie: it has ended.
        var ended = false
    }

    /// Processes by pid, and finished ones (a pid seen again with another start).
    private var processes: [Int32: Seen] = [:]
    private var processOrder: [Int32] = []
    /// Threads other than a process's main thread, by (pid, tid).
    private var threads: [ThreadKey: Seen] = [:]
    private var threadOrder: [ThreadKey] = []
    private var retired: [(pid: Int32, seen: Seen)] = []
    private var lastSample: UInt64 = 0
    /// When a process was last seen to appear or end (the first sample counts as a change).
    private var lastChange: UInt64?
    private var samples = 0
    /// When the demo's process last ran a new program (exec), if it did after the first sample:
    /// a launcher (a version manager's shell shim) ran before it.
    private var rootExec: UInt64?

    private struct ThreadKey: Hashable { var pid: Int32; var tid: Int32 }

    /// The `stat` and main thread's `children` of each live process, kept open between
    /// samples (a `pread` each instead of an open, a read and a close).
    private var files: [Int32: (stat: FileSystem.RereadableFile, children: FileSystem.RereadableFile?)] = [:]

    /// `/proc` reports CPU time in `USER_HZ` ticks, 100 a second on every Linux.
    static let nanosecondsPerTick: UInt64 = 10_000_000

    /// Where the runner's children are listed: its main thread's `children`, where orphans
    /// are reparented when it is a child subreaper.
    private let runnerChildren: FileSystem.RereadableFile?

    /// Observes the process `root` and its descendants.
    public init(root: Int32) {
        self.root = root
        runnerChildren = Self.stat("/proc/self/stat").flatMap { FileSystem.RereadableFile("/proc/self/task/\($0.pid)/children") }
    }

    /// Looks at the process tree once (unless the last look was under ``minimumInterval`` ago).
    public func sample() {
        let now = Trace.now
        let changed = lastChange ?? now
        lastChange = changed
        let interval = now - changed < settleTime ? minimumInterval : steadyInterval
        guard now &- lastSample >= interval else { return }
        lastSample = now
        samples += 1
        let full = samples % fullSampleEvery == 1
        var frontier: [Int32] = [root]
        if let runnerChildren { frontier += Self.children(runnerChildren.read()) }
        var visited: Set<Int32> = []
        while let pid = frontier.popLast() {
            guard visited.insert(pid).inserted else { continue }
            if files[pid] == nil, let stat = FileSystem.RereadableFile("/proc/\(pid)/stat") {
                files[pid] = (stat, FileSystem.RereadableFile("/proc/\(pid)/task/\(pid)/children"))
            }
            guard let open = files[pid], let stat = open.stat.read().flatMap(Self.stat) else {
                if files.removeValue(forKey: pid) != nil { lastChange = now }
                continue
            }
            note(pid: pid, stat: stat, now: now)
            frontier += Self.children(open.children?.read())
            // Threads: listed, with their own children, on full samples only.
            guard full else { continue }
            for task in FileSystem.list("/proc/\(pid)/task") {
                guard let tid = Int32(task), tid != pid else { continue }
                frontier += Self.children(FileSystem.readSmall("/proc/\(pid)/task/\(task)/children"))
                let key = ThreadKey(pid: pid, tid: tid)
                if var seen = threads[key] {
                    seen.lastSeen = now
                    if let threadStat = Self.stat("/proc/\(pid)/task/\(task)/stat") {
                        seen.cpuTicks = max(seen.cpuTicks, threadStat.cpuTicks)
                        seen.name = threadStat.name
                    }
                    threads[key] = seen
                } else if let threadStat = Self.stat("/proc/\(pid)/task/\(task)/stat") {
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
            if !stat.isZombie {
                seen.lastSeen = now
            } else if !seen.ended {
                seen.ended = true
                lastChange = now
            }
            seen.cpuTicks = max(seen.cpuTicks, stat.cpuTicks)
            // A process that runs a new program (exec) changes its name; a zombie keeps it.
            if !stat.isZombie, seen.name != stat.name {
                seen.name = stat.name
                if pid == root { rootExec = now }
            }
            processes[pid] = seen
            return
        }
        lastChange = now
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
        var pid: Int32
        var name: String
        var parent: Int32
        var cpuTicks: UInt64
        var startTicks: UInt64
        var isZombie: Bool
    }

    /// Parses `/proc/<pid>/stat` (or a thread's): `pid (comm) state ppid … utime stime …
    /// starttime …`. The command name may hold spaces and parentheses: it ends at the last `)`.
    static func stat(_ path: String) -> Stat? {
        FileSystem.readSmall(path).flatMap(stat)
    }

    /// Parses the contents of a `stat` file.
    static func stat(_ bytes: [UInt8]) -> Stat? {
        bytes.withUnsafeBufferPointer { buffer -> Stat? in
            guard let open = buffer.firstIndex(of: UInt8(ascii: "(")),
                  let close = buffer.lastIndex(of: UInt8(ascii: ")")), open < close else { return nil }
            // After the name: state(0) ppid(1) … utime(11) stime(12) … starttime(19).
            var values = [UInt64](repeating: 0, count: 20)
            var field = -1, i = close + 1
            var state: UInt8 = 0
            while i < buffer.count, field < 20 {
                let byte = buffer[i]
                if byte == 32 {
                    field += 1
                } else if field == 0 {
                    state = byte
                } else if field > 0, byte >= 48, byte <= 57 {
                    values[field] = values[field] &* 10 &+ UInt64(byte - 48)
                }
                i += 1
            }
            guard field >= 20 || (field == 19 && i == buffer.count) else { return nil }
            var pid: Int32 = 0
            for k in 0..<open where buffer[k] >= 48 && buffer[k] <= 57 { pid = pid &* 10 &+ Int32(buffer[k] - 48) }
            return Stat(pid: pid, name: String(decoding: UnsafeBufferPointer(rebasing: buffer[(open + 1)..<close]), as: UTF8.self),
                        parent: Int32(truncatingIfNeeded: values[1]), cpuTicks: values[11] + values[12],
                        startTicks: values[19], isZombie: state == UInt8(ascii: "Z"))
        }
    }

    /// The pids listed in the contents of a `children` file.
    static func children(_ contents: [UInt8]?) -> [Int32] {
        guard let bytes = contents, !bytes.isEmpty else { return [] }
        var pids: [Int32] = []
        var current: Int32 = 0, digits = false
        for byte in bytes {
            if byte >= 48 && byte <= 57 {
                current = current &* 10 &+ Int32(byte - 48)
                digits = true
            } else if digits {
                pids.append(current)
                current = 0
                digits = false
            }
        }
        if digits { pids.append(current) }
        return pids
    }
}
