/// A proxy for a semaphore held by a ``Manager``'s server (Python's `manager.Semaphore(n)` and
/// `manager.BoundedSemaphore(n)`).
public struct SemaphoreProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// Decrements the counter, waiting while it is 0; returns false when `timeout` seconds
    /// passed first.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        try client.acquire(id, block: block, timeout: timeout)
    }

    /// Increments the counter, waking one waiter.
    ///
    /// - Throws: ``ManagerError/semaphoreOverReleased`` for a bounded semaphore at its
    ///   initial value.
    public func release() throws {
        try client.release(id)
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
        try client.holding(id, body)
    }
}
