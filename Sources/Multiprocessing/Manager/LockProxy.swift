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
        try client.acquire(id, block: block, timeout: timeout)
    }

    /// Releases the lock.
    ///
    /// - Throws: ``ManagerError/notOwner(object:)`` when it is not held (by this thread, for
    ///   a re-entrant lock).
    public func release() throws {
        try client.release(id)
    }

    /// Runs `body` holding the lock (Python's `with lock:`).
    public func withLock<R>(_ body: () throws -> R) throws -> R {
        try client.holding(id, body)
    }
}

// MARK: - Acquire and release, shared by the lock, semaphore and condition proxies

extension ManagerClient {
    /// Acquires the lock-like object `id`; false when `timeout` seconds passed first.
    func acquire(_ id: UInt32, block: Bool, timeout: Double?) throws -> Bool {
        var reader = try call(.acquire, object: id, timeout: block ? timeout : 0)
        return try reader.intField() == 1
    }

    /// Releases the lock-like object `id`.
    func release(_ id: UInt32) throws {
        _ = try call(.release, object: id)
    }

    /// Runs `body` between acquiring and releasing `id`.
    func holding<R>(_ id: UInt32, _ body: () throws -> R) throws -> R {
        _ = try acquire(id, block: true, timeout: nil)
        defer { try? release(id) }
        return try body()
    }
}
