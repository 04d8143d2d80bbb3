// MARK: - Events

/// One line of a trace: what one process or thread did, and when.
///
/// The one schema every trace uses: the library writes it under `LEARN_MP_TRACE`, the Python
/// and Node.js hooks the runner injects write the same lines, and the runner's observer (the
/// kernel's view of a demo's processes and threads) adds its own, marked
/// ``Source-swift.enum/observer``. ``TraceReader`` reads them back; ``line`` writes one.
///
/// On the wire an event is one JSON object on one line, with these keys:
///
/// | key | meaning |
/// |---|---|
/// | `event` | `start`, `exit`, `thread-start`, `thread-exit`, `task-start`, `task-end`, `acquire`, `release`, `put`, `get` |
/// | `pid`, `t` | the process, and the monotonic time in nanoseconds (`CLOCK_MONOTONIC`) |
/// | `tid` | the thread (kernel thread id), on thread events and where a hook knows it |
/// | `ppid`, `name`, `runtime` | on `start`: the parent, the name the runtime gives it, `python`/`node`/`swift` |
/// | `code`, `cpu` | on `exit`: Python's exit code (negative: the signal), CPU nanoseconds |
/// | `job`, `task`, `failed` | on task events |
/// | `obj`, `kind` | on holds and queue operations: the object's id, the primitive's kind |
/// | `src` | `observer` for the observer's lines; absent for a program's own |
///
/// Times are comparable across the processes of one machine; only differences mean anything.
public struct TraceEvent: Equatable, Hashable, Sendable {
    /// What happened.
    public enum Kind: Equatable, Hashable, Sendable {
        /// A process began running. `name` is what its runtime calls it (`Process-1`,
        /// `ForkPoolWorker-2`, …) or the kernel's command name; `runtime` is `python`, `node`
        /// or `swift` when known.
        case processStarted(parent: Int32, name: String, runtime: String?)
        /// A process ended: Python's exit code (negative: killed by that signal), and the CPU
        /// time it used in nanoseconds where known. `exitCode` is nil when only its
        /// disappearance was seen.
        case processExited(exitCode: Int32?, cpu: UInt64?)
        /// A thread began (``TraceEvent/thread`` is its id).
        case threadStarted(name: String)
        /// A thread ended, with the CPU time it used where known.
        case threadExited(cpu: UInt64?)
        /// A pool or executor worker began task `index` of job `job`.
        case taskStarted(job: Int, index: Int)
        /// A pool or executor worker finished task `index` of job `job`.
        case taskEnded(job: Int, index: Int, failed: Bool)
        /// A lock, semaphore unit or condition was taken.
        case acquired(object: String, kind: HoldKind)
        /// A lock, semaphore unit or condition was given back.
        case released(object: String, kind: HoldKind)
        /// An item was put into a queue.
        case put(queue: String)
        /// An item was taken from a queue.
        case got(queue: String)
    }

    /// Who wrote an event.
    public enum Source: String, Equatable, Hashable, Sendable {
        /// The program itself: the library, or a hook loaded into it.
        case program
        /// The runner's observer, from the kernel's view (`/proc`).
        case observer
    }

    /// The kind of a held synchronisation primitive, as the runtime names it.
    public struct HoldKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let lock = HoldKind(rawValue: "lock")
        public static let rlock = HoldKind(rawValue: "rlock")
        public static let semaphore = HoldKind(rawValue: "semaphore")
        public static let boundedSemaphore = HoldKind(rawValue: "bounded-semaphore")
        public static let condition = HoldKind(rawValue: "condition")
    }

    /// What happened.
    public var kind: Kind
    /// The process it happened in (for `start`/`exit`, the process that started or ended).
    public var pid: Int32
    /// The thread, on thread events and wherever the writer knows it.
    public var thread: Int32?
    /// Monotonic nanoseconds.
    public var time: UInt64
    /// Who wrote it.
    public var source: Source

    /// Creates an event.
    public init(_ kind: Kind, pid: Int32, thread: Int32? = nil, time: UInt64, source: Source = .program) {
        self.kind = kind
        self.pid = pid
        self.thread = thread
        self.time = time
        self.source = source
    }

    /// The `event` key's value on the wire.
    public var name: StaticString {
        switch kind {
        case .processStarted: "start"
        case .processExited: "exit"
        case .threadStarted: "thread-start"
        case .threadExited: "thread-exit"
        case .taskStarted: "task-start"
        case .taskEnded: "task-end"
        case .acquired: "acquire"
        case .released: "release"
        case .put: "put"
        case .got: "get"
        }
    }
}
