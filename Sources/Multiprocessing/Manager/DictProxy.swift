/// A proxy for a dictionary held by a ``Manager``'s server (Python's `manager.dict()`).
///
/// Every operation is one round trip to the server, so the dictionary is the same in every
/// process. Entries keep insertion order, as Python's `dict`.
///
/// ```swift
/// let d = try manager.dict(String.self, Int.self)
/// try d.set("apples", to: 3)
/// print(try d["apples"])               // 3
/// print(try d.get("pears", default: 0)) // 0
/// ```
///
/// A read-modify-write such as `try d.set(k, to: try d[k] + 1)` is two operations: guard it
/// with a manager lock when several processes do it.
public struct DictProxy<Key: Codable & Hashable, Value: Codable>: Sendable {
    let client: ManagerClient
    let id: UInt32

    private func keyError(_ key: Key) -> ManagerError { .keyNotFound(key: String(reflecting: key)) }

    // MARK: Reading

    /// The value for `key` (Python's `d[key]`).
    ///
    /// - Throws: ``ManagerError/keyNotFound(key:)`` naming the key when there is none.
    public subscript(key: Key) -> Value {
        get throws {
            do {
                var reader = try client.call(.dictGet, object: id) { try $0.appendEncodedField(key) }
                return try reader.decodedField(Value.self)
            } catch ManagerError.keyNotFound {
                throw keyError(key)
            }
        }
    }

    /// The value for `key`, or nil when there is none.
    public func get(_ key: Key) throws -> Value? {
        var reader = try client.call(.dictGetOptional, object: id) { try $0.appendEncodedField(key) }
        return reader.isAtEnd ? nil : try reader.decodedField(Value.self)
    }

    /// The value for `key`, or `defaultValue` when there is none (Python's `d.get(key, default)`).
    public func get(_ key: Key, default defaultValue: Value) throws -> Value {
        try get(key) ?? defaultValue
    }

    /// Whether `key` has a value (Python's `key in d`).
    public func contains(_ key: Key) throws -> Bool {
        var reader = try client.call(.dictContains, object: id) { try $0.appendEncodedField(key) }
        return try reader.field().first == 1
    }

    /// The number of entries (Python's `len(d)`).
    public var count: Int {
        get throws {
            var reader = try client.call(.dictCount, object: id)
            return try reader.intField()
        }
    }

    /// The keys, in insertion order.
    public func keys() throws -> [Key] {
        var reader = try client.call(.dictKeys, object: id)
        return try reader.decodedFields(Key.self)
    }

    /// The values, in insertion order.
    public func values() throws -> [Value] {
        var reader = try client.call(.dictValues, object: id)
        return try reader.decodedFields(Value.self)
    }

    /// The entries as (key, value) pairs, in insertion order (Python's `d.items()`).
    public func items() throws -> [(key: Key, value: Value)] {
        var reader = try client.call(.dictItems, object: id)
        var items: [(key: Key, value: Value)] = []
        while !reader.isAtEnd {
            let key = try reader.decodedField(Key.self)
            items.append((key, try reader.decodedField(Value.self)))
        }
        return items
    }

    /// A Swift dictionary with the current entries (Python's `dict(d)`).
    public func copy() throws -> [Key: Value] {
        var result: [Key: Value] = [:]
        for (key, value) in try items() { result[key] = value }
        return result
    }

    // MARK: Writing

    /// Sets the value for `key` (Python's `d[key] = value`).
    ///
    /// - Throws: ``ManagerError/encodingFailed(type:reason:)`` when the key or value cannot be
    ///   encoded; nothing is sent then.
    public func set(_ key: Key, to value: Value) throws {
        _ = try client.call(.dictSet, object: id) { writer in
            try writer.appendEncodedField(key)
            try writer.appendEncodedField(value)
        }
    }

    /// Removes `key` and returns its value, or nil when there was none
    /// (Python's `d.pop(key, None)`).
    @discardableResult
    public func removeValue(forKey key: Key) throws -> Value? {
        var reader = try client.call(.dictRemove, object: id) { try $0.appendEncodedField(key) }
        return reader.isAtEnd ? nil : try reader.decodedField(Value.self)
    }

    /// Sets every entry of `other` in one round trip (Python's `d.update(other)`).
    public func update(_ other: [Key: Value]) throws {
        try update(other.map { ($0.key, $0.value) })
    }

    /// Sets every pair, in order, in one round trip.
    public func update(_ pairs: [(Key, Value)]) throws {
        _ = try client.call(.dictUpdate, object: id) { writer in
            for (key, value) in pairs {
                try writer.appendEncodedField(key)
                try writer.appendEncodedField(value)
            }
        }
    }

    /// Removes every entry.
    public func removeAll() throws {
        _ = try client.call(.dictClear, object: id)
    }
}
