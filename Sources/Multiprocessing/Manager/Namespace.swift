/// A proxy for a namespace held by a ``Manager``'s server (Python's `manager.Namespace()`):
/// attributes any process can set and read.
///
/// ```swift
/// let ns = try manager.namespace()
/// try ns.set("x", to: 10)
/// let x: Int = try ns.x     // 10, in any process
/// ```
@dynamicMemberLookup
public struct Namespace: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// The attribute `name` as a `T` (Python's `ns.name`).
    ///
    /// - Throws: ``ManagerError/keyNotFound(key:)`` naming the attribute when it was never set,
    ///   ``ManagerError/decodingFailed(type:reason:)`` when it holds another type.
    public subscript<T: Decodable>(dynamicMember name: String) -> T {
        get throws { try get(name) }
    }

    /// The attribute `name` as a `T`.
    public func get<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        do {
            var reader = try client.call(.dictGet, object: id) { try $0.appendEncodedField(name) }
            return try reader.decodedField(T.self)
        } catch ManagerError.keyNotFound {
            throw ManagerError.keyNotFound(key: name)
        }
    }

    /// Sets the attribute `name` (Python's `ns.name = value`).
    public func set<T: Encodable>(_ name: String, to value: T) throws {
        _ = try client.call(.dictSet, object: id) { writer in
            try writer.appendEncodedField(name)
            try writer.appendEncodedField(value)
        }
    }

    /// Deletes the attribute `name` (Python's `del ns.name`); returns whether it existed.
    @discardableResult
    public func delete(_ name: String) throws -> Bool {
        let reader = try client.call(.dictRemove, object: id) { try $0.appendEncodedField(name) }
        return !reader.isAtEnd
    }

    /// The names of the attributes set, in the order they were first set.
    public func names() throws -> [String] {
        var reader = try client.call(.dictKeys, object: id)
        return try reader.decodedFields(String.self)
    }
}
