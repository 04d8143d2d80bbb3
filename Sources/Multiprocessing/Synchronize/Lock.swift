import CMultiprocessing
import Glibc

/// A process-shared, non-recursive lock: Python's `multiprocessing.Lock`.
///
/// Create it before starting the processes that share it. The lock is a robust pthread mutex
/// in shared memory: if its holder dies, the next ``acquire(block:timeout:)`` throws
/// ``SynchronizationError/previousHolderDied(pid:)`` naming the dead process, and the lock
/// is usable again afterwards. It never deadlocks silently.
///
/// ```swift
/// let lock = try Lock()
/// try lock.withLock { counter.value += 1 }
/// ```
///
/// Unlike Python's semaphore-based lock, only the thread that acquired the lock may release it.
public final class Lock: @unchecked Sendable {
    let region: SharedRegion
    let mutex: RobustMutex

    /// Creates an unlocked lock in fresh shared memory.
    public init() throws {
        region = try SharedRegion(size: RobustMutex.byteCount)
        mutex = RobustMutex(at: region.allocate(byteCount: RobustMutex.byteCount))
        try mutex.initialize(.errorChecking)
    }

    /// Acquires the lock.
    ///
    /// - Parameters:
    ///   - block: when false, return at once whether or not the lock was free.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when the lock is now held, false when it was busy.
    /// - Throws: ``SynchronizationError/previousHolderDied(pid:)`` when the last holder died
    ///   holding it (the lock is then free again), ``SynchronizationError/wouldDeadlock`` when
    ///   this thread already holds it and would wait forever.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        if block, timeout == nil {
            let (outcome, dead) = mutex.lock()
            if outcome == .acquired { return true }
            return try resolve(outcome, dead: dead, deadline: .forever)
        }
        let deadline = block ? Deadline(timeout: timeout) : Deadline(timeout: 0)
        let (outcome, dead) = try mutex.lock(deadline: deadline)
        return try resolve(outcome, dead: dead, deadline: deadline)
    }

    private func resolve(_ outcome: RobustLockOutcome, dead: Int32?, deadline: Deadline) throws -> Bool {
        switch outcome {
        case .acquired:
            return true
        case .ownerDied:
            mutex.unlock()
            throw SynchronizationError.previousHolderDied(pid: dead ?? 0)
        case .timedOut:
            return false
        case .wouldDeadlock:
            // Python would wait out the timeout and fail; without one it would hang forever.
            guard deadline.nanoseconds != nil else { throw SynchronizationError.wouldDeadlock }
            while let left = deadline.remainingNanoseconds, left > 0 {
                usleep(UInt32(min(left / 1000, 100_000)) + 1)
            }
            return false
        }
    }

    /// Releases the lock.
    ///
    /// - Throws: ``SynchronizationError/notHeld`` when this thread does not hold it.
    public func release() throws {
        if mutex.unlock() != 0 { throw SynchronizationError.notHeld }
    }

    /// Runs `body` while holding the lock (Python's `with lock:`), releasing it afterwards
    /// even when `body` throws.
    ///
    /// - Throws: what `body` throws, or an error from ``acquire(block:timeout:)``.
    public func withLock<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { mutex.unlock() }
        return try body()
    }
}
