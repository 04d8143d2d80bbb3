/// A proxy for an event flag held by a ``Manager``'s server (Python's `manager.Event()`).
public struct EventProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    private func flag(_ operation: Operation, timeout: Double? = nil) throws -> Bool {
        var reader = try client.call(operation, object: id, timeout: timeout)
        return try reader.field().first == 1
    }

    /// Sets the flag and wakes every waiter.
    public func set() throws { _ = try flag(.eventSet) }

    /// Clears the flag.
    public func clear() throws { _ = try flag(.eventClear) }

    /// Whether the flag is set (Python's `is_set()`).
    public func isSet() throws -> Bool { try flag(.eventIsSet) }

    /// Waits until the flag is set; returns the flag (false when `timeout` seconds passed).
    @discardableResult
    public func wait(timeout: Double? = nil) throws -> Bool { try flag(.eventWait, timeout: timeout) }
}
