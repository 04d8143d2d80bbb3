/// A process-shared condition variable: Python's `multiprocessing.Condition`.
///
/// Built on a ``Lock`` or ``RLock`` (an `RLock` by default) and a futex word in shared memory
/// counting sleepers and wake-ups (not a pthread condition variable: a waiter killed mid-wait
/// would corrupt one). `notify(n:)` wakes exactly `n` of the processes waiting at the time
/// (fewer if fewer wait), never one that began waiting after the call. Wait in a loop on your predicate, or use ``wait(for:timeout:)``:
/// another process may change it between the notify and the waiter taking the lock again.
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
    private let word: ConditionWord

    /// Creates a condition over a new ``RLock``.
    public convenience init() throws { try self.init(lock: RLock()) }

    /// Creates a condition over `lock`.
    public init(lock: RLock) throws {
        underlying = .rlock(lock)
        region = try SharedRegion(size: 64)
        word = ConditionWord(at: region.allocate(byteCount: ConditionWord.byteCount))
    }

    /// Creates a condition over `lock`.
    public init(lock: Lock) throws {
        underlying = .lock(lock)
        region = try SharedRegion(size: 64)
        word = ConditionWord(at: region.allocate(byteCount: ConditionWord.byteCount))
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
        guard isOwned else { throw SynchronizationError.notHeld }
        let generation = word.register()
        var levels: UInt32 = 1
        switch underlying {
        case .lock(let lock): _ = lock.mutex.unlock()
        case .rlock(let lock): levels = try lock.releaseAll()
        }
        let notified = word.sleep(generation: generation, until: deadline)
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

    /// Wakes `n` of the processes waiting on this condition (all of them when fewer wait).
    ///
    /// - Throws: ``SynchronizationError/notHeld`` when the calling thread does not hold the
    ///   lock (Python: "cannot notify on un-acquired lock").
    public func notify(n: Int = 1) throws {
        guard isOwned else { throw SynchronizationError.notHeld }
        word.notify(max(0, n))
    }

    /// Wakes every waiter.
    ///
    /// - Throws: ``SynchronizationError/notHeld`` when the calling thread does not hold the lock.
    public func notifyAll() throws {
        try notify(n: Int.max)
    }

    /// Whether the calling thread holds the underlying lock.
    private var isOwned: Bool {
        switch underlying {
        case .lock(let lock): lock.mutex.isHeldByCallingThread
        case .rlock(let lock): lock.isOwned
        }
    }
}
