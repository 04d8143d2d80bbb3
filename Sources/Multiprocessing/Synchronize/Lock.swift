import CMultiprocessing
import Glibc

/// A process-shared, non-recursive lock: Python's `multiprocessing.Lock`.
///
/// Create it before starting the processes that share it. Like Python's lock, any thread or
/// process may release it, and releasing it when it is not locked is an error. If the
/// process holding it dies, the next ``acquire(block:timeout:)`` throws
/// ``SynchronizationError/previousHolderDied(pid:)`` naming that process, and the lock is
/// usable again afterwards: it never deadlocks silently.
///
/// ```swift
/// let lock = try Lock()
/// lock.withLock { counter.value += 1 }
/// ```
///
/// The uncontended path is one atomic compare-and-swap to acquire and one exchange to
/// release, without allocation.
public final class Lock: @unchecked Sendable {
    let region: SharedRegion
    @usableFromInline let mutex: FutexMutex

    /// Creates an unlocked lock in fresh shared memory.
    public init() throws {
        region = try SharedRegion(size: FutexMutex.byteCount)
        mutex = FutexMutex(at: region.allocate(byteCount: FutexMutex.byteCount))
    }

    /// Acquires the lock.
    ///
    /// - Parameters:
    ///   - block: when false, return at once whether or not the lock was free.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when the lock is now held, false when it stayed busy.
    /// - Throws: ``SynchronizationError/previousHolderDied(pid:)`` when the holder died
    ///   holding it (the lock is then free again), ``SynchronizationError/wouldDeadlock`` when
    ///   this thread already holds it and would wait forever.
    @inlinable @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        if mutex.tryLock() {
            mutex.thread.atomicStore(FutexMutex.currentThread)
            if Trace.isEnabled { traceHold(true) }
            return true
        }
        let taken = try acquireSlowly(block: block, timeout: timeout)
        if taken, Trace.isEnabled { traceHold(true) }
        return taken
    }

    /// Records a hold's start or end in the trace.
    @usableFromInline
    func traceHold(_ acquired: Bool) {
        Trace.hold(acquired, object: UnsafeRawPointer(mutex.word), kind: .lock)
    }

    @usableFromInline
    func acquireSlowly(block: Bool, timeout: Double?) throws -> Bool {
        let deadline = Deadline(block: block, timeout: timeout)
        switch try mutex.acquire(deadline: deadline, checkSelf: true) {
        case .acquired, .ownerDied:  // `acquire` throws instead of returning .ownerDied
            mutex.thread.atomicStore(FutexMutex.currentThread)
            return true
        case .timedOut:
            return false
        case .wouldDeadlock:
            // Python would wait out the timeout and fail; without one it would hang forever.
            guard deadline.nanoseconds != nil else { throw SynchronizationError.wouldDeadlock }
            while let left = deadline.remainingNanoseconds, left > 0 {
                system_sleep(microseconds: UInt32(min(left / 1000, 100_000)) + 1)
            }
            return false
        }
    }

    /// Releases the lock (from any thread or process, as in Python).
    ///
    /// - Throws: ``SynchronizationError/releasedUnlocked`` when it was not locked.
    @inlinable
    public func release() throws {
        if Trace.isEnabled { traceHold(false) }
        if !mutex.unlock() { throw SynchronizationError.releasedUnlocked }
    }

    /// Runs `body` while holding the lock (Python's `with lock:`), releasing it afterwards
    /// even when `body` throws.
    ///
    /// This rethrows only what `body` throws. If the previous holder died holding the lock, the
    /// lock is recovered, a line naming the dead process goes to standard error, and `body`
    /// runs; call ``acquire(block:timeout:)`` to get that as a typed error instead. A thread
    /// calling this while already holding the lock (which would wait forever) traps with a
    /// message.
    @inlinable
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        if mutex.tryLock() {
            mutex.thread.atomicStore(FutexMutex.currentThread)
        } else {
            lockRecovering()
        }
        if Trace.isEnabled { traceHold(true) }
        defer {
            if Trace.isEnabled { traceHold(false) }
            _ = mutex.unlock()
        }
        return try body()
    }

    /// The contended path of ``withLock(_:)``, which cannot throw.
    @usableFromInline
    func lockRecovering() {
        guard mutex.lockRecovering(checkSelf: true) else {
            preconditionFailure(SynchronizationError.wouldDeadlock.description)
        }
        mutex.thread.atomicStore(FutexMutex.currentThread)
    }
}
