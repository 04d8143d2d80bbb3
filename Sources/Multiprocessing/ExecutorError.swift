/// A problem using a ``ProcessPoolExecutor`` or one of its futures, as Python's
/// `BrokenProcessPool`, `CancelledError` and `TimeoutError`.
public enum ExecutorError: Error, Equatable, CustomStringConvertible {
    /// `maxWorkers` below 1 was given.
    case invalidMaxWorkers(Int)
    /// Work was submitted after `shutdown()`.
    case shutdown
    /// A worker died abruptly, so the executor stopped: every pending future failed with this
    /// error and new work is refused. `reason` names the worker and how it ended.
    case brokenProcessPool(reason: String)
    /// `result(timeout:)`, `map(timeout:)` or ``asCompleted(_:timeout:)`` waited `seconds`.
    case timeout(seconds: Double)
    /// The future was cancelled before it ran.
    case cancelled
    /// A chunk size below 1 was given to `map`.
    case invalidChunkSize(Int)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidMaxWorkers(let count):
            "maxWorkers must be at least 1, got \(count): pass a positive number, or nil to use cpuCount()"
        case .shutdown:
            "cannot schedule new futures after shutdown: submit before shutdown(), or create a new ProcessPoolExecutor"
        case .brokenProcessPool(let reason):
            "a process in the process pool was terminated abruptly while the future was running or pending (\(reason)); the executor is broken and refuses new work: create a new ProcessPoolExecutor"
        case .timeout(let seconds):
            "no result within \(seconds) s: wait longer, or check the task is not stuck"
        case .cancelled:
            "the future was cancelled before it ran: check cancelled() before asking for its result"
        case .invalidChunkSize(let size):
            "chunk size must be at least 1, got \(size): pass a positive chunkSize"
        }
    }
}
