import Multiprocessing

// MARK: - Lanes

extension Timeline {
    /// One drawn line of a timeline: a process, or a thread drawn inside (under) its process.
    public struct Lane: Equatable, Sendable {
        /// The process's or thread's name.
        public var name: String
        /// The pid, or the thread's id.
        public var id: Int32
        /// Indentation: a process's depth in the tree; a thread one more than its process.
        public var depth: Int
        /// Whether this lane is a thread inside the process above it.
        public var isThread: Bool
        /// Whether this is the main process.
        public var isMain: Bool
        /// The index of its process among the timeline's rows (a thread shares its process's).
        public var process: Int
        /// Its colour: 0 for the main process, then 1, 2, … for each other lane in order, so
        /// threads of one process are told apart as processes are.
        public var colour: Int
        /// Its life.
        public var start: UInt64
        /// Its end.
        public var end: UInt64
        /// How it ended (``Timeline/status(of:)``); `""` for threads and the main process.
        public var status: String
        /// Whether that end is worth flagging.
        public var endedBadly: Bool
        /// The tasks it ran.
        public var tasks: [Task]
        /// The holds it took.
        public var holds: [Hold]
        /// Its queue operations.
        public var queueOperations: [QueueOperation]
    }

    /// The lanes to draw: each process, followed by the threads its program reported (a
    /// `worker_threads` worker), each carrying the tasks, holds and queue operations of its
    /// own thread. Threads only the observer saw (a runtime's helpers) are counted in
    /// ``helperThreadCount``, not drawn.
    public var lanes: [Lane] {
        var lanes: [Lane] = []
        var colour = 0
        func nextColour(_ isMain: Bool) -> Int {
            if isMain { return 0 }
            colour += 1
            return colour
        }
        for (index, row) in rows.enumerated() {
            let drawn = row.threads.filter(\.reported)
            let drawnIDs = Set(drawn.map(\.tid))
            func mine(_ thread: Int32?) -> Bool { thread.map { !drawnIDs.contains($0) } ?? true }
            lanes.append(Lane(name: row.name, id: row.pid, depth: row.depth, isThread: false, isMain: row.isMain,
                              process: index, colour: nextColour(row.isMain), start: row.start, end: row.end, status: Self.status(of: row),
                              endedBadly: Self.endedBadly(row), tasks: row.tasks.filter { mine($0.thread) },
                              holds: row.holds.filter { mine($0.thread) },
                              queueOperations: row.queueOperations.filter { mine($0.thread) }))
            for thread in drawn {
                lanes.append(Lane(name: thread.name, id: thread.tid, depth: row.depth + 1, isThread: true, isMain: false,
                                  process: index, colour: nextColour(false), start: thread.start, end: thread.end, status: "", endedBadly: false,
                                  tasks: row.tasks.filter { $0.thread == thread.tid },
                                  holds: row.holds.filter { $0.thread == thread.tid },
                                  queueOperations: row.queueOperations.filter { $0.thread == thread.tid }))
            }
        }
        return lanes
    }

    /// Threads only the observer saw: the runtimes' own helpers (Node's V8 and libuv threads,
    /// a Python pool's handler threads), which the drawings count but do not draw.
    public var helperThreadCount: Int {
        rows.reduce(0) { $0 + $1.threads.filter { !$0.reported }.count }
    }
}
