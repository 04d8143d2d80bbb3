/// A proxy for a condition variable held by a ``Manager``'s server, with its own re-entrant
/// lock (Python's `manager.Condition()`).
///
/// ```swift
/// try condition.withLock {
///     while try !ready.value { try condition.wait() }
/// }
/// ```
public struct ConditionProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// Acquires the condition's lock; returns false when `timeout` seconds passed first.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        try client.acquire(id, block: block, timeout: timeout)
    }

    /// Releases the condition's lock.
    public func release() throws {
        try client.release(id)
    }

    /// Runs `body` holding the lock (Python's `with condition:`).
    public func withLock<R>(_ body: () throws -> R) throws -> R {
        try client.holding(id, body)
    }

    /// Releases the lock, waits for a notification (or `timeout` seconds), and takes the lock
    /// back. Returns false on timeout.
    ///
    /// - Throws: ``ManagerError/notOwner(object:)`` when this thread does not hold the lock.
    @discardableResult
    public func wait(timeout: Double? = nil) throws -> Bool {
        var reader = try client.call(.conditionWait, object: id, timeout: timeout)
        return try reader.intField() == 1
    }

    /// Waits until `predicate` is true, re-checking after each notification; returns its last
    /// value (false when `timeout` seconds passed). Call it holding the lock.
    public func waitFor(timeout: Double? = nil, _ predicate: () throws -> Bool) throws -> Bool {
        let deadline = Deadline(timeout: timeout)
        while try !predicate() {
            let left = deadline.remainingNanoseconds.map { Double($0) / 1e9 }
            if let left, left <= 0 { return try predicate() }
            try wait(timeout: left)
        }
        return true
    }

    /// Wakes up to `count` waiters. Call it holding the lock.
    public func notify(_ count: Int = 1) throws {
        _ = try client.call(.conditionNotify, object: id) { $0.appendIntField(count) }
    }

    /// Wakes every waiter (Python's `notify_all()`). Call it holding the lock.
    public func notifyAll() throws {
        _ = try client.call(.conditionNotifyAll, object: id)
    }
}
