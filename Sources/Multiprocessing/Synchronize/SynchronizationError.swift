/// Misuse or failure of a process-shared ``Lock``, ``RLock``, ``Semaphore``,
/// ``BoundedSemaphore`` or ``Condition``; each case says what happened and what to do.
public enum SynchronizationError: Error, Equatable, CustomStringConvertible {
    /// The process that held the lock died (e.g. was killed) while holding it.
    ///
    /// The lock has been made consistent and released: later `acquire()` calls succeed. The
    /// data it protected may be half-updated; check it before trusting it.
    case previousHolderDied(pid: Int32)
    /// `release()` of an ``RLock`` (or a ``Condition`` operation) by a thread that does not
    /// hold the lock (Python's `RuntimeError: cannot release un-acquired lock`).
    case notHeld
    /// `release()` of a ``Lock`` that is not locked (Python's `ValueError`).
    case releasedUnlocked
    /// The holder of a non-recursive ``Lock`` tried to acquire it again without a timeout:
    /// that would wait forever.
    case wouldDeadlock
    /// A semaphore was created with a negative value (Python's `ValueError`).
    case negativeSemaphoreValue(Int)
    /// A ``BoundedSemaphore`` was released more times than it was acquired.
    case releasedTooManyTimes(limit: Int)
    /// A semaphore value larger than the shared counter can hold.
    case semaphoreValueTooLarge(Int)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .previousHolderDied(let pid):
            "the lock's previous holder (pid \(pid)) died while holding it: the lock was recovered and released, but the data it protected may be inconsistent; check it, then acquire again"
        case .notHeld:
            "this thread does not hold the lock: acquire it first, and release an RLock only from the thread that acquired it"
        case .releasedUnlocked:
            "release() of a Lock that is not locked: release it once per successful acquire()"
        case .wouldDeadlock:
            "this thread already holds the Lock and acquiring it again would wait forever: use an RLock for re-entrant locking, or pass a timeout"
        case .negativeSemaphoreValue(let value):
            "semaphore initial value must be >= 0, got \(value)"
        case .releasedTooManyTimes(let limit):
            "BoundedSemaphore released too many times: its value may not exceed the initial value \(limit); release only after a matching acquire()"
        case .semaphoreValueTooLarge(let value):
            "semaphore value \(value) is too large: the limit is \(Int32.max)"
        }
    }
}
