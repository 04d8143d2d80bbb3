/// A proxy for a list held by a ``Manager``'s server (Python's `manager.list()`).
///
/// Indices may be negative, counting from the end, as in Python.
public struct ListProxy<Element: Codable>: Sendable {
    let client: ManagerClient
    let id: UInt32

    // MARK: Reading

    /// The element at `index` (Python's `l[index]`).
    ///
    /// - Throws: ``ManagerError/indexOutOfRange(index:count:)``.
    public subscript(index: Int) -> Element {
        get throws {
            var reader = try client.call(.listGet, object: id) { $0.appendIntField(index) }
            return try reader.decodedField(Element.self)
        }
    }

    /// The number of elements (Python's `len(l)`).
    public var count: Int {
        get throws {
            var reader = try client.call(.listCount, object: id)
            return try reader.intField()
        }
    }

    /// A Swift array with the current elements (Python's `list(l)`).
    public func copy() throws -> [Element] {
        var reader = try client.call(.listItems, object: id)
        return try reader.decodedFields(Element.self)
    }

    // MARK: Writing

    /// Appends `element` (Python's `l.append(x)`).
    public func append(_ element: Element) throws {
        _ = try client.call(.listAppend, object: id) { try $0.appendEncodedField(element) }
    }

    /// Appends every element, in one round trip (Python's `l.extend(xs)`).
    public func extend<S: Sequence>(_ elements: S) throws where S.Element == Element {
        _ = try client.call(.listExtend, object: id) { writer in
            for element in elements { try writer.appendEncodedField(element) }
        }
    }

    /// Inserts `element` before `index` (clamped to the list, as Python's `l.insert`).
    public func insert(_ element: Element, at index: Int) throws {
        _ = try client.call(.listInsert, object: id) { writer in
            writer.appendIntField(index)
            try writer.appendEncodedField(element)
        }
    }

    /// Replaces the element at `index` (Python's `l[index] = x`).
    public func set(_ index: Int, to element: Element) throws {
        _ = try client.call(.listSet, object: id) { writer in
            writer.appendIntField(index)
            try writer.appendEncodedField(element)
        }
    }

    /// Removes and returns the element at `index` (Python's `l.pop(index)`).
    @discardableResult
    public func remove(at index: Int) throws -> Element {
        var reader = try client.call(.listRemoveAt, object: id) { $0.appendIntField(index) }
        return try reader.decodedField(Element.self)
    }

    /// Removes every element.
    public func removeAll() throws {
        _ = try client.call(.listClear, object: id)
    }
}
