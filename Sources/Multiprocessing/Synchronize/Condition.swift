import CMultiprocessing

/// A process-shared condition variable: Python's `multiprocessing.Condition`.
///
/// Built on a ``Lock`` or ``RLock`` (an `RLock` by default) and a futex sequence word in
/// shared memory (not a pthread condition variable: a waiter killed mid-wait would corrupt
/// one). As with POSIX condition variables a wait may return early; wait in a loop on your
/// predicate, or use ``wait(for:timeout:)``.
///
/// ```swift
/// try condition.withLock {
///     try condition.wait(for: { items.value > 0 })
/// }
/// ```
public final class Condition: @unchecked Sendable {
    private enum Underlying {
        case lock(Lock)
        case rlock(RLock)
    }

    private let underlying: Underlying
    let region: SharedRegion
    let sequence: UnsafeMutablePointer<UInt32>
    let waiters: UnsafeMutablePointer<UInt32>

    /// Creates a condition over a new ``RLock``.
    public convenience init() throws { try self.init(lock: RLock()) }

    /// Creates a condition over `lock`.
    public init(lock: RLock) throws {
        underlying = .rlock(lock)
        region = try SharedRegion(size: 64)
        sequence = region.allocate(UInt32.self, count: 2)
        waiters = sequence + 1
    }

    /// Creates a condition over `lock`.
    public init(lock: Lock) throws {
        underlying = .lock(lock)
        region = try SharedRegion(size: 64)
        sequence = region.allocate(UInt32.self, count: 2)
        waiters = sequence + 1
    }

    // MARK: - The lock

    /// Acquires the underlying lock (see ``Lock/acquire(block:timeout:)``).
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        switch underlying {
        case .lock(let lock): try lock.acquire(block: block, timeout: timeout)
        case .rlock(let lock): try lock.acquire(block: block, timeout: timeout)
        }
    }

    /// Releases the underlying lock.
    public func release() throws {
        switch underlying {
        case .lock(let lock): try lock.release()
        case .rlock(let lock): try lock.release()
        }
    }

    /// Runs `body` holding the underlying lock (Python's `with condition:`); rethrows only
    /// what `body` throws (see ``Lock/withLock(_:)``).
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        switch underlying {
        case .lock(let lock): try lock.withLock(body)
        case .rlock(let lock): try lock.withLock(body)
        }
    }

    // MARK: - Waiting

    /// Releases the lock, sleeps until notified or until `timeout` seconds pass, and takes
    /// the lock again. The caller must hold the lock.
    ///
    /// - Returns: false when the timeout passed, else true.
    /// - Throws: ``SynchronizationError/notHeld`` when the caller does not hold the lock.
    @discardableResult
    public func wait(timeout: Double? = nil) throws -> Bool {
        let deadline = Deadline(timeout: timeout)
        let seen = cmp_load_u32(sequence)
        var levels: UInt32 = 1
        switch underlying {
        case .lock(let lock):
            guard lock.mutex.unlock() else { throw SynchronizationError.notHeld }
        case .rlock(let lock):
            levels = try lock.releaseAll()
        }
        _ = cmp_fetch_add_u32(waiters, 1)
        var notified = true
        if cmp_load_u32(sequence) == seen {
            notified = system_futexWait(sequence, expected: seen, deadline: deadline)
                || cmp_load_u32(sequence) != seen
        }
        _ = cmp_fetch_sub_u32(waiters, 1)
        switch underlying {
        case .lock(let lock): try lock.acquire()
        case .rlock(let lock): try lock.restore(levels: levels)
        }
        return notified
    }

    /// Waits until `predicate` is true (checked under the lock) or `timeout` seconds pass.
    ///
    /// - Returns: the predicate's last value.
    @discardableResult
    public func wait(for predicate: () throws -> Bool, timeout: Double? = nil) throws -> Bool {
        let deadline = Deadline(timeout: timeout)
        var result = try predicate()
        while !result {
            var left: Double? = nil
            if let nanoseconds = deadline.remainingNanoseconds {
                if nanoseconds <= 0 { break }
                left = Double(nanoseconds) / 1e9
            }
            try wait(timeout: left)
            result = try predicate()
        }
        return result
    }

    /// Wakes up to `n` processes waiting on this condition. Call it holding the lock.
    public func notify(n: Int = 1) {
        _ = cmp_fetch_add_u32(sequence, 1)
        FutexWaiting.wake(sequence, waiters: waiters, count: Int32(clamping: n), bump: false)
    }

    /// Wakes every waiter. Call it holding the lock.
    public func notifyAll() {
        notify(n: Int(Int32.max))
    }
}
