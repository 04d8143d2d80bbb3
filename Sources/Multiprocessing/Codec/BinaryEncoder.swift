// The general encoder: any `Encodable` value through the `Encoder` protocol. Scalars are
// written straight into the bytes of the container being built; each nested container is a
// node of its own, because `Codable` lets a caller keep writing into a nested container after
// its parent moved on. When the value is done, the nodes are laid out into one buffer.

// MARK: - Nodes

/// A container being built: its own bytes, with nested containers to be inserted at offsets.
final class EncodingNode {
    enum Kind { case keyed, unkeyed, slot }

    let kind: Kind
    /// Items (keyed: key + item) encoded so far, minus nested containers.
    var bytes: [UInt8] = []
    /// Entries in the container (the slot of a single value does not count).
    var count = 0
    /// Nested containers and where they go in `bytes`, in increasing offset order.
    var children: [(offset: Int, node: EncodingNode)] = []
    private var cachedContentSize = -1

    init(kind: Kind) { self.kind = kind }

    /// Encodes one item into this node's bytes, the fast way when the type allows.
    @inline(__always)
    func encodeItem<T: Encodable>(_ value: T, path: [any CodingKey], key: (any CodingKey)?) throws {
        if BinaryCodec.writeFast(value, into: &bytes) { return }
        var itemPath = path
        if let key { itemPath.append(key) }
        guard itemPath.count <= BinaryFormat.maximumDepth else {
            throw CodecError.unsupportedValue("nesting deeper than \(BinaryFormat.maximumDepth) levels at \(CodecError.describe(itemPath))")
        }
        let encoder = ItemEncoder(parent: self, codingPath: itemPath)
        try value.encode(to: encoder)
        if encoder.isEmpty { bytes.append(contentsOf: Self.emptyKeyed) }
    }

    /// Attaches a new nested container at the current end of the bytes.
    func attach(_ kind: Kind) -> EncodingNode {
        let node = EncodingNode(kind: kind)
        children.append((bytes.count, node))
        return node
    }

    /// What a value that encoded nothing becomes: an empty keyed container.
    static let emptyKeyed: [UInt8] = [BinaryFormat.Tag.keyed.rawValue, 1, 0]

    // MARK: Layout

    private var contentSize: Int {
        if cachedContentSize < 0 {
            var size = bytes.count
            for child in children { size += child.node.itemSize }
            cachedContentSize = size
        }
        return cachedContentSize
    }

    private var isEmpty: Bool { bytes.isEmpty && children.isEmpty }

    /// The size of this node written as one item.
    var itemSize: Int {
        switch kind {
        case .slot:
            return isEmpty ? Self.emptyKeyed.count : contentSize
        case .keyed, .unkeyed:
            let inner = BinaryFormat.varintSize(UInt64(count)) + contentSize
            return 1 + BinaryFormat.varintSize(UInt64(inner)) + inner
        }
    }

    /// Writes this node as one item.
    func writeItem(into out: inout [UInt8]) {
        switch kind {
        case .slot:
            if isEmpty { out.append(contentsOf: Self.emptyKeyed); return }
        case .keyed, .unkeyed:
            out.appendTag(kind == .keyed ? .keyed : .unkeyed)
            out.appendVarint(UInt64(BinaryFormat.varintSize(UInt64(count)) + contentSize))
            out.appendVarint(UInt64(count))
        }
        var start = 0
        for child in children {
            if child.offset > start { out.append(contentsOf: bytes[start..<child.offset]) }
            child.node.writeItem(into: &out)
            start = child.offset
        }
        if start < bytes.count { out.append(contentsOf: bytes[start...]) }
    }

    /// Writes the contents of a root slot (exactly one item) after `out`.
    func writeRoot(into out: inout [UInt8]) {
        if children.isEmpty {
            out.append(contentsOf: bytes)
        } else {
            out.reserveCapacity(out.count + itemSize)
            writeItem(into: &out)
        }
    }
}

/// A coding key for the elements of an unkeyed container.
struct IndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(intValue: Int) { self.index = intValue }
    init?(stringValue: String) { return nil }
    var intValue: Int? { index }
    var stringValue: String { "Index \(index)" }

    /// `base` followed by the element at `index`.
    static func path(_ base: [any CodingKey], _ index: Int) -> [any CodingKey] { base + [IndexKey(index)] }
}

/// The key of a superclass's part of a keyed container.
struct SuperKey: CodingKey {
    init() {}
    init?(intValue: Int) { return nil }
    init?(stringValue: String) { if stringValue != "super" { return nil } }
    var intValue: Int? { nil }
    var stringValue: String { "super" }
}

// MARK: - Encoder

/// The `Encoder` handed to one value: its container, if it asks for one, goes into `parent`.
final class ItemEncoder: Encoder, SingleValueEncodingContainer {
    let parent: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var node: EncodingNode?
    private var wroteValue = false

    init(parent: EncodingNode, codingPath: [any CodingKey]) {
        self.parent = parent
        self.codingPath = codingPath
    }

    /// Whether the value wrote nothing at all.
    var isEmpty: Bool { node == nil && !wroteValue }

    private func containerNode(_ kind: EncodingNode.Kind) -> EncodingNode {
        // Asked again (a subclass and its superclass share one encoder): the same container.
        if let node { return node }
        let created = parent.attach(kind)
        node = created
        return created
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(node: containerNode(.keyed), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedWriter(node: containerNode(.unkeyed), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: Single value

    func encodeNil() throws { wroteValue = true; parent.bytes.appendTag(.null) }
    func encode(_ value: Bool) throws { wroteValue = true; parent.bytes.appendTag(value ? .trueValue : .falseValue) }
    func encode(_ value: String) throws { wroteValue = true; parent.bytes.appendString(value, tagged: true) }
    func encode(_ value: Double) throws { wroteValue = true; parent.bytes.appendTag(.float64); parent.bytes.appendFixed(value.bitPattern) }
    func encode(_ value: Float) throws { wroteValue = true; parent.bytes.appendTag(.float32); parent.bytes.appendFixed(value.bitPattern) }
    func encode(_ value: Int) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: Int8) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: Int16) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: Int32) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: Int64) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: UInt) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: UInt8) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: UInt16) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: UInt32) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode(_ value: UInt64) throws { wroteValue = true; parent.bytes.appendInteger(value) }
    func encode<T: Encodable>(_ value: T) throws {
        wroteValue = true
        try parent.encodeItem(value, path: codingPath, key: nil)
    }
}

// MARK: - Keyed container

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    @inline(__always)
    private func writeKey(_ key: Key) {
        node.count += 1
        node.bytes.appendString(key.stringValue, tagged: false)
    }

    func encodeNil(forKey key: Key) throws { writeKey(key); node.bytes.appendTag(.null) }
    func encode(_ value: Bool, forKey key: Key) throws { writeKey(key); node.bytes.appendTag(value ? .trueValue : .falseValue) }
    func encode(_ value: String, forKey key: Key) throws { writeKey(key); node.bytes.appendString(value, tagged: true) }
    func encode(_ value: Double, forKey key: Key) throws { writeKey(key); node.bytes.appendTag(.float64); node.bytes.appendFixed(value.bitPattern) }
    func encode(_ value: Float, forKey key: Key) throws { writeKey(key); node.bytes.appendTag(.float32); node.bytes.appendFixed(value.bitPattern) }
    func encode(_ value: Int, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: Int8, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: Int16, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: Int32, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: Int64, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: UInt, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: UInt8, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: UInt16, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: UInt32, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode(_ value: UInt64, forKey key: Key) throws { writeKey(key); node.bytes.appendInteger(value) }
    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writeKey(key)
        try node.encodeItem(value, path: codingPath, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        writeKey(key)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(node: node.attach(.keyed), codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writeKey(key)
        return UnkeyedWriter(node: node.attach(.unkeyed), codingPath: codingPath + [key])
    }

    func superEncoder() -> any Encoder {
        node.count += 1
        node.bytes.appendString("super", tagged: false)
        return ItemEncoder(parent: node.attach(.slot), codingPath: codingPath + [SuperKey()])
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        writeKey(key)
        return ItemEncoder(parent: node.attach(.slot), codingPath: codingPath + [key])
    }
}

// MARK: - Unkeyed container

struct UnkeyedWriter: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    @inline(__always)
    private func next() -> EncodingNode { node.count += 1; return node }

    mutating func encodeNil() throws { next().bytes.appendTag(.null) }
    mutating func encode(_ value: Bool) throws { next().bytes.appendTag(value ? .trueValue : .falseValue) }
    mutating func encode(_ value: String) throws { next().bytes.appendString(value, tagged: true) }
    mutating func encode(_ value: Double) throws { next().bytes.appendTag(.float64); node.bytes.appendFixed(value.bitPattern) }
    mutating func encode(_ value: Float) throws { next().bytes.appendTag(.float32); node.bytes.appendFixed(value.bitPattern) }
    mutating func encode(_ value: Int) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: Int8) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: Int16) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: Int32) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: Int64) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: UInt) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: UInt8) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: UInt16) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: UInt32) throws { next().bytes.appendInteger(value) }
    mutating func encode(_ value: UInt64) throws { next().bytes.appendInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = node.count
        node.count += 1
        try node.encodeItem(value, path: codingPath, key: IndexKey(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let index = node.count
        node.count += 1
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(node: node.attach(.keyed), codingPath: codingPath + [IndexKey(index)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let index = node.count
        node.count += 1
        return UnkeyedWriter(node: node.attach(.unkeyed), codingPath: codingPath + [IndexKey(index)])
    }

    mutating func superEncoder() -> any Encoder {
        let index = node.count
        node.count += 1
        return ItemEncoder(parent: node.attach(.slot), codingPath: codingPath + [IndexKey(index)])
    }
}
