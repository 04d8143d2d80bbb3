/// What one run of a program showed about its behaviour, in the terms facts are checked in.
///
/// Times are seconds. Line times count from the program's start; task and hold times count
/// from the first event of the trace (only differences between them are used).
///
/// What every runtime gives: the wall time, the CPU time, and when each line of standard
/// output arrived. Tasks and holds come from a trace, and are nil when the run wrote none
/// for that kind (facts about them are then reported as not checked, never as passed).
public struct RunEvidence: Sendable, Equatable {
    /// A line of standard output and when it arrived.
    public struct TimedLine: Sendable, Equatable {
        /// The text, without the newline.
        public var text: String
        /// Seconds from the start.
        public var seconds: Double

        /// Creates a line.
        public init(_ text: String, at seconds: Double) {
            self.text = text
            self.seconds = seconds
        }
    }

    /// Something that began and ended: a task on a worker, or one hold of a lock.
    public struct Span: Sendable, Equatable {
        /// The worker (a pid or thread id) that ran the task, or the holder of the lock.
        public var owner: String
        /// For a hold: which lock or semaphore; empty for a task.
        public var resource: String
        /// When it began.
        public var start: Double
        /// When it ended.
        public var end: Double

        /// Creates a span.
        public init(owner: String, resource: String = "", start: Double, end: Double) {
            self.owner = owner
            self.resource = resource
            self.start = start
            self.end = end
        }
    }

    /// Wall-clock seconds from start to end.
    public var seconds: Double
    /// CPU seconds (user + system) of the program and every child it reaped; nil when unknown.
    public var cpuSeconds: Double?
    /// Standard output, line by line, with arrival times.
    public var lines: [TimedLine]
    /// The pool or executor tasks, or nil when the run reported none at all (no trace).
    public var tasks: [Span]?
    /// The lock and semaphore holds, or nil when the run's trace does not record holds.
    public var holds: [Span]?
    /// The workers, by id: the processes and threads that ran tasks, or, in a run with no
    /// task, the processes and threads the program itself started; nil without a trace.
    public var workers: Set<String>?

    /// Creates evidence.
    public init(seconds: Double, cpuSeconds: Double? = nil, lines: [TimedLine] = [], tasks: [Span]? = nil, holds: [Span]? = nil,
                workers: Set<String>? = nil) {
        self.seconds = seconds
        self.cpuSeconds = cpuSeconds
        self.lines = lines
        self.tasks = tasks
        self.holds = holds
        self.workers = workers ?? tasks.map { Set($0.map(\.owner)) }
    }

    /// The evidence of a finished run of `runtime`: its output and times, and the tasks and
    /// holds of its trace.
    ///
    /// Every runtime's trace reports pool tasks (the library, and the hooks: Python's pools
    /// and executors, each message a Node.js worker thread handles), so a trace without one
    /// shows a pool left unused. Holds are known when the trace has some, or when the runtime
    /// reports them (``Runtime/reportsHolds``): then none means no lock was taken.
    public init(spawn: SpawnResult, trace: String, runtime: Runtime) {
        var lines: [TimedLine] = []
        var texts = spawn.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        if texts.last == "" { texts.removeLast() }
        for (index, text) in texts.enumerated() {
            lines.append(TimedLine(String(text), at: index < spawn.lineSeconds.count ? spawn.lineSeconds[index] : spawn.seconds))
        }
        let timeline = Timeline(trace: trace)
        let end = Double(timeline.duration) / 1e9
        func seconds(_ time: UInt64?) -> Double { time.map { Double($0) / 1e9 } ?? end }
        func owner(_ pid: Int32, _ thread: Int32?) -> String { thread.map { "\(pid)/\($0)" } ?? String(pid) }
        var tasks: [Span]?
        if !timeline.isEmpty {
            tasks = timeline.rows.flatMap { row in
                row.tasks.map { Span(owner: owner(row.pid, $0.thread), start: seconds($0.start), end: seconds($0.end)) }
            }
        }
        var holds: [Span]?
        if !timeline.isEmpty, timeline.hasHolds || runtime.reportsHolds {
            holds = timeline.rows.flatMap { row in
                row.holds.map { Span(owner: owner(row.pid, $0.thread), resource: $0.object, start: seconds($0.start), end: seconds($0.end)) }
            }
        }
        var workers: Set<String>?
        if let tasks {
            workers = Set(tasks.map(\.owner))
            if workers!.isEmpty {
                // A Node.js worker given its work in `workerData` handles no message: count the
                // processes and threads the program started and reported instead.
                workers = Set(timeline.rows.flatMap { row in
                    (row.reported && !row.isMain ? [String(row.pid)] : []) + row.threads.filter(\.reported).map { owner(row.pid, $0.tid) }
                })
            }
        }
        self.init(seconds: spawn.seconds, cpuSeconds: spawn.cpuSeconds, lines: lines, tasks: tasks, holds: holds, workers: workers)
    }

    /// The most spans that overlap at one moment (a span ending when another begins does not
    /// overlap it).
    static func peak(_ spans: [Span]) -> Int {
        let edges = spans.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var running = 0, peak = 0
        for (_, change) in edges {
            running += change
            peak = max(peak, running)
        }
        return peak
    }
}
