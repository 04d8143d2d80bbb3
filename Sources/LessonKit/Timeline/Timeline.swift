import Foundation
import Multiprocessing

// MARK: - Timeline

/// Who ran when during one demo run: one row per process, ordered by start, with the threads,
/// pool tasks, lock holds and queue operations reported inside it, built from a trace
/// (`TraceEvent`s of the program, its hooks and the runner's observer).
///
/// The main process (the demo itself: the earliest process whose parent is not in the trace,
/// or, in a trace of only the library's lines, the parent of the started processes) is the
/// first row and spans the whole run. Where a program's event and the observer's say the same
/// thing, the program's wins (its names and exit codes are its own); the observer fills in
/// what no program reported (processes and threads it never named, CPU time).
///
/// All times are nanoseconds since the first event of the trace.
public struct Timeline: Equatable, Sendable {
    /// One task a pool or executor worker ran.
    public struct Task: Equatable, Sendable {
        /// The job (one `map`, `applyAsync`, `submit`…) the task belongs to.
        public var job: Int
        /// The task's index within its job.
        public var index: Int
        /// When the worker began it.
        public var start: UInt64
        /// When the worker finished it; `nil` when the trace has no end (the worker died).
        public var end: UInt64?
        /// Whether the task threw.
        public var failed: Bool
        /// The thread that ran it, when the writer said.
        public var thread: Int32? = nil
    }

    /// One thread of a process other than its main thread.
    public struct Thread: Equatable, Sendable {
        /// The kernel's thread id.
        public var tid: Int32
        /// Its name: the runtime's (`Worker 1`) or the kernel's command name.
        public var name: String
        /// First seen or started.
        public var start: UInt64
        /// Ended or last seen; the end of the trace when neither is known.
        public var end: UInt64
        /// CPU time in nanoseconds, where the observer saw it.
        public var cpu: UInt64?
        /// Whether the program itself reported it (a hook named it); otherwise only the
        /// observer saw it (a runtime's helper thread, or a thread no hook reports).
        public var reported: Bool
    }

    /// A lock, semaphore unit or condition held by the process.
    public struct Hold: Equatable, Sendable {
        /// The object's id (the same in every process that shares it).
        public var object: String
        /// What kind of primitive.
        public var kind: TraceEvent.HoldKind
        /// The thread that took it, when known.
        public var thread: Int32?
        /// When it was taken.
        public var start: UInt64
        /// When it was given back; `nil` when the trace has no release.
        public var end: UInt64?
    }

    /// One `put` or `get` on a queue.
    public struct QueueOperation: Equatable, Sendable {
        /// The queue's id.
        public var queue: String
        /// `put` (true) or `get` (false).
        public var isPut: Bool
        /// When.
        public var time: UInt64
        /// The thread, when known.
        public var thread: Int32?
    }

    /// One process.
    public struct Row: Equatable, Sendable {
        /// The process id.
        public var pid: Int32
        /// The parent's process id, when known.
        public var parent: Int32?
        /// The process's name (`MainProcess`, `Process-1`, `ForkPoolWorker-2`…).
        public var name: String
        /// How many ancestors of this process are in the timeline (the main process: 0).
        public var depth: Int
        /// When it began.
        public var start: UInt64
        /// When it ended: when it was last seen alive (by the observer, or by its own last
        /// event), but no later than when it was reaped; the end of the trace when neither is
        /// known.
        public var end: UInt64
        /// Its exit code (negative: killed by that signal); `nil` when it was never reaped.
        public var exitCode: Int32?
        /// Whether this is the run's main process.
        public var isMain: Bool
        /// The tasks it ran, in start order.
        public var tasks: [Task]
        /// Its threads other than the main one, in start order.
        public var threads: [Thread] = []
        /// The locks, semaphore units and conditions it held, in start order.
        public var holds: [Hold] = []
        /// Its queue operations, in time order.
        public var queueOperations: [QueueOperation] = []
        /// The CPU time it used (all its threads), in nanoseconds, where the observer saw it.
        public var cpu: UInt64? = nil
        /// `python`, `node` or `swift`, when its start event said.
        public var runtime: String? = nil
        /// Whether the program itself reported this process (otherwise only the observer saw it).
        public var reported: Bool = true
    }

    /// The processes, the main process first, the others by start time.
    public var rows: [Row]
    /// The run's length: from the first to the last event.
    public var duration: UInt64

    /// Whether there is nothing to draw.
    public var isEmpty: Bool { rows.isEmpty }

    /// Whether any process ran a task (pool or executor work).
    public var hasTasks: Bool { rows.contains { !$0.tasks.isEmpty } }

    /// Whether any process held a lock, semaphore or condition.
    public var hasHolds: Bool { rows.contains { !$0.holds.isEmpty } }

    /// Whether any queue operation was reported.
    public var hasQueueOperations: Bool { rows.contains { !$0.queueOperations.isEmpty } }

    /// Builds the timeline of a trace.
    ///
    /// - Parameters:
    ///   - events: the trace's events, in any order.
    ///   - mainName: the name shown for the main process (Python's `MainProcess`).
    public init(events: [TraceEvent], mainName: String = "MainProcess") {
        rows = []
        duration = 0
        guard let origin = events.map(\.time).min(), let last = events.map(\.time).max() else {
            return
        }
        duration = last - origin
        let ordered = events.enumerated().sorted {
            ($0.element.time, $0.offset) < ($1.element.time, $1.offset)
        }.map(\.element)

        var builders: [Int32: RowBuilder] = [:]
        var order: [Int32] = []
        for event in ordered {
            if builders[event.pid] == nil {
                builders[event.pid] = RowBuilder(pid: event.pid, firstSeen: event.time - origin)
                order.append(event.pid)
            }
            builders[event.pid]!.add(event, at: event.time - origin)
        }
        var byPID = builders.mapValues { $0.row(traceEnd: duration) }

        // The main process: the demo itself, which no program reports (its runtime starts
        // it, not the library or a hook), so it is the earliest process the observer saw
        // start whose parent is not in the trace. Without the observer's lines: the parent of
        // the most started processes, itself without a start.
        let observedRoots = order.filter { pid in
            guard let start = builders[pid]!.observedStart else { return false }
            return byPID[start.parent] == nil && builders[pid]!.programStart == nil
        }
        var mainPID = observedRoots.min { (byPID[$0]!.start, $0) < (byPID[$1]!.start, $1) }
        var synthesized = false
        if mainPID == nil {
            var parentCounts: [Int32: Int] = [:]
            for row in byPID.values {
                if let parent = row.parent, builders[parent]?.hasStart != true { parentCounts[parent, default: 0] += 1 }
            }
            mainPID = parentCounts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
            synthesized = mainPID.map { byPID[$0] == nil } ?? false
        }
        if let mainPID {
            var main = byPID[mainPID] ?? Row(pid: mainPID, parent: nil, name: mainName, depth: 0, start: 0,
                                             end: duration, exitCode: nil, isMain: true, tasks: [])
            if synthesized { order.insert(mainPID, at: 0) }
            main.name = mainName
            main.isMain = true
            main.start = 0
            main.end = duration
            main.exitCode = nil
            byPID[mainPID] = main
        }

        // Depth: the number of known ancestors, guarding against pid reuse loops.
        for pid in order {
            var depth = 0
            var cursor = byPID[pid]?.parent
            var seen: Set<Int32> = [pid]
            while let p = cursor, let ancestor = byPID[p], seen.insert(p).inserted {
                depth += 1
                cursor = ancestor.parent
            }
            byPID[pid]?.depth = depth
        }

        rows = order.compactMap { byPID[$0] }.enumerated().sorted { a, b in
            if a.element.isMain != b.element.isMain { return a.element.isMain }
            return (a.element.start, a.offset) < (b.element.start, b.offset)
        }.map(\.element)
    }

    /// Builds the timeline of a trace text (JSON lines); malformed lines are skipped.
    public init(trace text: String, mainName: String = "MainProcess") {
        self.init(events: TraceReader.parse(text), mainName: mainName)
    }
}

// MARK: - Building one row

/// Collects one process's events; the program's word wins over the observer's.
private struct RowBuilder {
    var row: Timeline.Row
    var hasStart = false
    var programStart: UInt64?
    var programName: String?
    var programParent: Int32?
    var programExit: (time: UInt64, code: Int32)?
    var observedStart: (time: UInt64, name: String, parent: Int32)?
    var observedExit: (time: UInt64, code: Int32?, cpu: UInt64?)?
    /// The last thing the process itself reported doing (it was alive then).
    var lastProgramEvent: UInt64?
    var threads: [Int32: Timeline.Thread] = [:]
    var threadOrder: [Int32] = []
    var threadEnded: Set<Int32> = []
    var threadEndedByProgram: Set<Int32> = []

    init(pid: Int32, firstSeen: UInt64) {
        row = Timeline.Row(pid: pid, parent: nil, name: "pid \(pid)", depth: 0, start: firstSeen, end: firstSeen,
                           exitCode: nil, isMain: false, tasks: [], reported: false)
    }

    mutating func add(_ event: TraceEvent, at t: UInt64) {
        let observed = event.source == .observer
        if !observed {
            row.reported = true
            if case .processExited = event.kind {} else { lastProgramEvent = max(lastProgramEvent ?? t, t) }
        }
        switch event.kind {
        case let .processStarted(parent, name, runtime):
            hasStart = true
            if observed {
                observedStart = (t, name, parent)
            } else {
                programStart = min(programStart ?? t, t)
                if !name.isEmpty { programName = name }
                programParent = parent
            }
            if let runtime { row.runtime = runtime }
        case let .processExited(code, cpu):
            if observed {
                observedExit = (t, code, cpu)
            } else if let code {
                programExit = (t, code)
            }
            if let cpu { row.cpu = cpu }
        case let .threadStarted(name):
            guard let tid = event.thread, tid != event.pid else { return }
            var thread = threads[tid] ?? Timeline.Thread(tid: tid, name: name, start: t, end: t, cpu: nil, reported: false)
            if threads[tid] == nil { threadOrder.append(tid) }
            if !observed { thread.reported = true; thread.name = name.isEmpty ? thread.name : name }
            else if !thread.reported { thread.name = name }
            thread.start = min(thread.start, t)
            threads[tid] = thread
        case let .threadExited(cpu):
            guard let tid = event.thread, tid != event.pid else { return }
            var thread = threads[tid] ?? Timeline.Thread(tid: tid, name: "tid \(tid)", start: t, end: t, cpu: nil, reported: !observed)
            if threads[tid] == nil { threadOrder.append(tid) }
            // The program's exit is exact; the observer's is when it was last seen.
            if !observed {
                thread.end = t
                threadEndedByProgram.insert(tid)
            } else if !threadEndedByProgram.contains(tid) {
                thread.end = max(thread.end, t)
            }
            threadEnded.insert(tid)
            if let cpu { thread.cpu = cpu }
            threads[tid] = thread
        case let .taskStarted(job, index):
            row.tasks.append(Timeline.Task(job: job, index: index, start: t, end: nil, failed: false, thread: event.thread))
        case let .taskEnded(job, index, failed):
            if let open = row.tasks.lastIndex(where: { $0.job == job && $0.index == index && $0.end == nil && $0.thread == event.thread }) {
                row.tasks[open].end = t
                row.tasks[open].failed = failed
            } else {
                // The start line was lost: show the end as an instant.
                row.tasks.append(Timeline.Task(job: job, index: index, start: t, end: t, failed: failed, thread: event.thread))
            }
        case let .acquired(object, kind):
            row.holds.append(Timeline.Hold(object: object, kind: kind, thread: event.thread, start: t, end: nil))
        case let .released(object, kind):
            // The latest open hold of the object by the same thread (or, for a semaphore
            // released by another thread, by any thread of the process).
            if let open = row.holds.lastIndex(where: { $0.object == object && $0.end == nil && $0.thread == event.thread })
                ?? row.holds.lastIndex(where: { $0.object == object && $0.end == nil }) {
                row.holds[open].end = t
            } else if kind == .semaphore || kind == .boundedSemaphore {
                // A unit taken elsewhere and given back here: nothing was held here.
            } else {
                row.holds.append(Timeline.Hold(object: object, kind: kind, thread: event.thread, start: t, end: t))
            }
        case let .put(queue):
            row.queueOperations.append(Timeline.QueueOperation(queue: queue, isPut: true, time: t, thread: event.thread))
        case let .got(queue):
            row.queueOperations.append(Timeline.QueueOperation(queue: queue, isPut: false, time: t, thread: event.thread))
        }
    }

    func row(traceEnd: UInt64) -> Timeline.Row {
        var row = row
        row.parent = programParent ?? observedStart?.parent
        if let name = programName { row.name = name } else if let observedStart, !observedStart.name.isEmpty { row.name = observedStart.name }
        row.start = [programStart, observedStart?.time].compactMap { $0 }.min() ?? row.start
        if let programExit {
            // The program dates an exit when it reaps the child (after it ended); the process
            // was alive when the observer last saw it and when it last reported something.
            let alive = max(observedExit?.time ?? programExit.time, lastProgramEvent ?? 0)
            row.end = min(programExit.time, alive)
            row.exitCode = programExit.code
        } else if let observedExit {
            row.end = observedExit.time
            row.exitCode = observedExit.code
        } else {
            row.end = traceEnd
        }
        row.end = max(row.end, row.start)
        row.tasks.sort { ($0.start, $0.job, $0.index) < ($1.start, $1.job, $1.index) }
        row.threads = threadOrder.compactMap { threads[$0] }.map { thread in
            var thread = thread
            if !threadEnded.contains(thread.tid) { thread.end = max(thread.start, row.end) }
            return thread
        }.sorted { ($0.start, $0.tid) < ($1.start, $1.tid) }
        return row
    }
}

// MARK: - Describing

extension Timeline {
    /// A short human time: `850 µs`, `12 ms`, `1.25 s`.
    public static func formatDuration(_ nanoseconds: UInt64) -> String {
        let ns = Double(nanoseconds)
        if nanoseconds == 0 { return "0 ms" }
        if ns < 1_000_000 { return "\(Int((ns / 1_000).rounded())) µs" }
        if ns < 10_000_000 { return trimmed(ns / 1_000_000, places: 1) + " ms" }
        if ns < 1_000_000_000 { return "\(Int((ns / 1_000_000).rounded())) ms" }
        return trimmed(ns / 1_000_000_000, places: 2) + " s"
    }

    /// Like ``formatDuration(_:)`` but ASCII only (`us` for microseconds).
    public static func formatDurationASCII(_ nanoseconds: UInt64) -> String {
        formatDuration(nanoseconds).replacingOccurrences(of: "µ", with: "u")
    }

    /// How a row ended: `exit 0`, `signal 9` (killed), `not reaped`, or `""` for the main row.
    public static func status(of row: Row) -> String {
        if row.isMain { return "" }
        guard let code = row.exitCode else { return "not reaped" }
        return code < 0 ? "signal \(-code)" : "exit \(code)"
    }

    /// Whether a row ended in a way worth flagging: a non-zero exit or a signal other than
    /// `SIGTERM` (which is how pools and `terminate()` stop processes on purpose).
    public static func endedBadly(_ row: Row) -> Bool {
        guard !row.isMain else { return false }
        guard let code = row.exitCode else { return true }
        return code > 0 || (code < 0 && code != -15)
    }

    /// One sentence per process, for screen readers and the SVG's description.
    public var summary: String {
        guard !rows.isEmpty else { return "No process events were recorded." }
        var parts: [String] = []
        let count = rows.count
        parts.append("\(count) process\(count == 1 ? "" : "es") over \(Self.formatDuration(duration)).")
        for row in rows {
            var sentence = "\(row.name) (pid \(row.pid))"
            if row.isMain {
                sentence += " ran the whole time"
            } else {
                sentence += " ran from \(Self.formatDuration(row.start)) to \(Self.formatDuration(row.end))"
                let status = Self.status(of: row)
                if !status.isEmpty { sentence += ", \(status)" }
            }
            if !row.tasks.isEmpty {
                let failed = row.tasks.filter(\.failed).count
                sentence += ", \(row.tasks.count) task\(row.tasks.count == 1 ? "" : "s")"
                if failed > 0 { sentence += " (\(failed) failed)" }
            }
            parts.append(sentence + ".")
        }
        return parts.joined(separator: " ")
    }

    private static func trimmed(_ value: Double, places: Int) -> String {
        var text = String(format: "%.\(places)f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
