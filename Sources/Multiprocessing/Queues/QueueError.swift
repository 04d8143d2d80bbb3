/// Errors of ``Queue``, ``SimpleQueue`` and ``JoinableQueue``.
public enum QueueError: Error, Equatable, CustomStringConvertible {
    /// No item arrived in time, or none was there for a non-blocking get (Python's `queue.Empty`).
    case empty
    /// No room appeared in time, or none was there for a non-blocking put (Python's `queue.Full`).
    case full
    /// The queue was closed in this process with `close()` (Python's `ValueError`).
    case closed
    /// `taskDone()` was called more times than items were put (Python's `ValueError`).
    case taskDoneTooManyTimes
    /// A negative `maxSize`.
    case invalidMaxSize(Int)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .empty:
            "the queue is empty: no item arrived before the timeout (use a longer timeout, or check empty() first)"
        case .full:
            "the queue is full: no room appeared before the timeout (use a longer timeout, or a larger maxSize)"
        case .closed:
            "the queue is closed in this process: put() and get() cannot be used after close()"
        case .taskDoneTooManyTimes:
            "taskDone() called too many times: call it once per item taken with get()"
        case .invalidMaxSize(let size):
            "a queue's maxSize must be 0 (unbounded) or more, got \(size)"
        }
    }
}
