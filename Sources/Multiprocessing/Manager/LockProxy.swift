/// A proxy for a lock held by a ``Manager``'s server: `manager.lock()` (Python's
/// `manager.Lock()`) or `manager.rlock()` (`manager.RLock()`).
///
/// Ownership is per connection, that is per process and thread. A plain lock may be released
/// by anyone; a re-entrant lock only by its holder, which may acquire it again. When a holder's
/// connection ends (the process exits or is killed), the server releases what it held.
public struct LockProxy: Sendable {
    let client: ManagerClient
    let id: UInt32
    let kind: ObjectKind

    /// Waits for the lock; returns false when `timeout` seconds passed first.
    ///
    /// - Parameters:
    ///   - block: false tries once without waiting (Python's `acquire(False)`).
    ///   - timeout: seconds; nil waits forever.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        var reader = try client.call(.acquire, object: id, timeout: block ? timeout : 0)
        return try reader.intField() == 1
    }

    /// Releases the lock.
    ///
    /// - Throws: ``ManagerError/notOwner(object:)`` when it is not held (by this thread, for
    ///   a re-entrant lock).
    public func release() throws {
        _ = try client.call(.release, object: id)
    }

    /// Runs `body` holding the lock (Python's `with lock:`).
    public func withLock<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { try? release() }
        return try body()
    }
}

/// A proxy for a semaphore held by a ``Manager``'s server (Python's `manager.Semaphore(n)` and
/// `manager.BoundedSemaphore(n)`).
public struct SemaphoreProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// Decrements the counter, waiting while it is 0; returns false when `timeout` seconds
    /// passed first.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        var reader = try client.call(.acquire, object: id, timeout: block ? timeout : 0)
        return try reader.intField() == 1
    }

    /// Increments the counter, waking one waiter.
    ///
    /// - Throws: ``ManagerError/semaphoreOverReleased`` for a bounded semaphore at its
    ///   initial value.
    public func release() throws {
        _ = try client.call(.release, object: id)
    }

    /// The counter's current value.
    public var value: Int {
        get throws {
            var reader = try client.call(.semaphoreValue, object: id)
            return try reader.intField()
        }
    }

    /// Runs `body` between `acquire()` and `release()` (Python's `with semaphore:`).
    public func withSemaphore<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { try? release() }
        return try body()
    }
}
