import Foundation

// MARK: - Timeline

/// Who ran when during one demo run: one row per process, ordered by start, built from a
/// trace. The main process (the one that started the others and wrote no start event of its
/// own) is the first row and spans the whole run.
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
        /// When it was reaped, or the end of the trace when it never was.
        public var end: UInt64
        /// Its exit code (negative: killed by that signal); `nil` when it was never reaped.
        public var exitCode: Int32?
        /// Whether this is the run's main process.
        public var isMain: Bool
        /// The tasks it ran, in start order.
        public var tasks: [Task]
    }

    /// The processes, the main process first, the others by start time.
    public var rows: [Row]
    /// The run's length: from the first to the last event.
    public var duration: UInt64

    /// Whether there is nothing to draw.
    public var isEmpty: Bool { rows.isEmpty }

    /// Whether any process ran a task (pool or executor work).
    public var hasTasks: Bool { rows.contains { !$0.tasks.isEmpty } }

    /// Builds the timeline of a trace.
    ///
    /// - Parameters:
    ///   - events: the trace's events, in any order.
    ///   - mainName: the name shown for the main process, which writes no start event.
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

        var byPID: [Int32: Row] = [:]
        var order: [Int32] = []
        func row(_ pid: Int32, at time: UInt64) -> Row {
            if let row = byPID[pid] { return row }
            order.append(pid)
            return Row(pid: pid, parent: nil, name: "pid \(pid)", depth: 0, start: time,
                       end: duration, exitCode: nil, isMain: false, tasks: [])
        }

        for event in ordered {
            let t = event.time - origin
            switch event {
            case let .processStarted(pid, parent, name, _):
                var r = row(pid, at: t)
                r.parent = parent
                r.start = min(r.start, t)
                if !name.isEmpty { r.name = name }
                byPID[pid] = r
            case let .processExited(pid, code, _):
                var r = row(pid, at: t)
                r.end = t
                r.exitCode = code
                byPID[pid] = r
            case let .taskStarted(pid, job, index, _):
                var r = row(pid, at: t)
                r.tasks.append(Task(job: job, index: index, start: t, end: nil, failed: false))
                byPID[pid] = r
            case let .taskEnded(pid, job, index, failed, _):
                var r = row(pid, at: t)
                if let open = r.tasks.lastIndex(where: { $0.job == job && $0.index == index && $0.end == nil }) {
                    r.tasks[open].end = t
                    r.tasks[open].failed = failed
                } else {
                    // The start line was lost: show the end as an instant.
                    r.tasks.append(Task(job: job, index: index, start: t, end: t, failed: failed))
                }
                byPID[pid] = r
            }
        }

        // The main process: the parent of started processes that has no start of its own.
        let started = Set(byPID.values.filter { $0.parent != nil }.map(\.pid))
        var parentCounts: [Int32: Int] = [:]
        for r in byPID.values {
            if let parent = r.parent, !started.contains(parent) { parentCounts[parent, default: 0] += 1 }
        }
        let mainPID = parentCounts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
        if let mainPID {
            var main = byPID[mainPID] ?? Row(pid: mainPID, parent: nil, name: mainName, depth: 0,
                                             start: 0, end: duration, exitCode: nil, isMain: true,
                                             tasks: [])
            if byPID[mainPID] == nil { order.insert(mainPID, at: 0) }
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
        for i in rows.indices {
            rows[i].end = max(rows[i].end, rows[i].start)
            rows[i].tasks.sort { ($0.start, $0.job, $0.index) < ($1.start, $1.job, $1.index) }
        }
    }

    /// Builds the timeline of a trace text (JSON lines); malformed lines are skipped.
    public init(trace text: String, mainName: String = "MainProcess") {
        self.init(events: TraceReader.parse(text), mainName: mainName)
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
