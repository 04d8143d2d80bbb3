/// A proxy for a barrier held by a ``Manager``'s server (Python's `manager.Barrier(parties)`).
public struct BarrierProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// Waits until `parties` callers are waiting, then releases them all. Returns this
    /// caller's arrival index, 0 ..< parties.
    ///
    /// - Throws: ``ManagerError/brokenBarrier`` when the barrier is or becomes broken (a
    ///   timeout breaks it, as in Python).
    @discardableResult
    public func wait(timeout: Double? = nil) throws -> Int {
        var reader = try client.call(.barrierWait, object: id, timeout: timeout)
        return try reader.intField()
    }

    /// Returns the barrier to its empty state; current waiters get a broken-barrier error.
    public func reset() throws { _ = try client.call(.barrierReset, object: id) }

    /// Breaks the barrier: current and future waiters get a broken-barrier error until `reset()`.
    public func abort() throws { _ = try client.call(.barrierAbort, object: id) }

    private func state() throws -> (parties: Int, waiting: Int, broken: Bool) {
        var reader = try client.call(.barrierState, object: id)
        return (try reader.intField(), try reader.intField(), try reader.intField() == 1)
    }

    /// The number of callers needed to pass.
    public var parties: Int { get throws { try state().parties } }
    /// The number of callers waiting now (Python's `n_waiting`).
    public var nWaiting: Int { get throws { try state().waiting } }
    /// Whether the barrier is broken.
    public var broken: Bool { get throws { try state().broken } }
}
