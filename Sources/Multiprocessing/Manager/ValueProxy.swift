/// A proxy for one value held by a ``Manager``'s server (Python's `manager.Value`).
///
/// `try v.value` reads it and `try v.set(x)` writes it; `+=` from several processes is a read
/// and a write, so guard it with a manager lock.
public struct ValueProxy<T: Codable>: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// The current value (Python's `v.value`).
    public var value: T {
        get throws {
            var reader = try client.call(.valueGet, object: id)
            return try reader.decodedField(T.self)
        }
    }

    /// Replaces the value (Python's `v.value = x`).
    public func set(_ newValue: T) throws {
        _ = try client.call(.valueSet, object: id) { try $0.appendEncodedField(newValue) }
    }
}
