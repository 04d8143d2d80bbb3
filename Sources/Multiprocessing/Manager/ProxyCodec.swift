// The byte encoding of values that proxies send to the manager's server. The server never
// decodes them: it stores, compares and returns the bytes, so one value must always encode to
// the same bytes (dictionary keys are compared byte for byte).
//
// A small tagged binary format for any `Codable` value, with direct paths for the common
// scalar and string types.

/// Encodes and decodes proxy values.
enum ProxyCodec {
    fileprivate enum Tag: UInt8 {
        case null = 0, bool, integer, unsigned, double, string, array, keyed
    }

    /// The bytes of `value`.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var out: [UInt8] = []
        try encode(value, appendingTo: &out)
        return out
    }

    /// Appends the bytes of `value` to `out`.
    static func encode<T: Encodable>(_ value: T, appendingTo out: inout [UInt8]) throws {
        if let int = value as? Int { out.append(Tag.integer.rawValue); appendInteger(UInt64(bitPattern: Int64(int)), to: &out); return }
        if let string = value as? String { appendString(string, to: &out); return }
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        guard let root = encoder.root.resolved else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded no value"))
        }
        root.write(to: &out)
    }

    /// Decodes a `T` from `bytes`; throws when the bytes are not a `T`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        var reader = ProxyByteReader(bytes: bytes)
        if T.self == Int.self, bytes.first == Tag.integer.rawValue, bytes.count == 9 {
            reader.offset = 1
            return Int(Int64(bitPattern: try reader.integer())) as! T
        }
        let node = try Node.read(from: &reader)
        guard reader.offset == bytes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(bytes.count - reader.offset) bytes left over after decoding \(T.self)"))
        }
        return try T(from: TreeDecoder(node: node, codingPath: []))
    }

    fileprivate static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        var value = value.littleEndian
        withUnsafeBytes(of: &value) { out.append(contentsOf: $0) }
    }

    fileprivate static func appendLength(_ value: Int, to out: inout [UInt8]) {
        var value = UInt32(value).littleEndian
        withUnsafeBytes(of: &value) { out.append(contentsOf: $0) }
    }

    fileprivate static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(Tag.string.rawValue)
        var string = string
        string.withUTF8 { utf8 in
            appendLength(utf8.count, to: &out)
            out.append(contentsOf: utf8)
        }
    }
}

// MARK: - The value tree

/// One encoded value.
private indirect enum Node {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    case string(String)
    case array([Node])
    case keyed([(String, Node)])

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(ProxyCodec.Tag.null.rawValue)
        case .bool(let value): out += [ProxyCodec.Tag.bool.rawValue, value ? 1 : 0]
        case .integer(let value):
            out.append(ProxyCodec.Tag.integer.rawValue)
            ProxyCodec.appendInteger(UInt64(bitPattern: value), to: &out)
        case .unsigned(let value):
            out.append(ProxyCodec.Tag.unsigned.rawValue)
            ProxyCodec.appendInteger(value, to: &out)
        case .double(let value):
            out.append(ProxyCodec.Tag.double.rawValue)
            ProxyCodec.appendInteger(value.bitPattern, to: &out)
        case .string(let value): ProxyCodec.appendString(value, to: &out)
        case .array(let items):
            out.append(ProxyCodec.Tag.array.rawValue)
            ProxyCodec.appendLength(items.count, to: &out)
            for item in items { item.write(to: &out) }
        case .keyed(let entries):
            out.append(ProxyCodec.Tag.keyed.rawValue)
            ProxyCodec.appendLength(entries.count, to: &out)
            for (key, value) in entries {
                ProxyCodec.appendString(key, to: &out)
                value.write(to: &out)
            }
        }
    }

    static func read(from reader: inout ProxyByteReader) throws -> Node {
        let tagByte = try reader.byte()
        guard let tag = ProxyCodec.Tag(rawValue: tagByte) else { throw reader.corrupt("unknown tag \(tagByte)") }
        switch tag {
        case .null: return .null
        case .bool: return .bool(try reader.byte() != 0)
        case .integer: return .integer(Int64(bitPattern: try reader.integer()))
        case .unsigned: return .unsigned(try reader.integer())
        case .double: return .double(Double(bitPattern: try reader.integer()))
        case .string: return .string(try reader.stringBody())
        case .array:
            let count = try reader.length()
            var items: [Node] = []
            items.reserveCapacity(min(count, 1024))
            for _ in 0..<count { items.append(try read(from: &reader)) }
            return .array(items)
        case .keyed:
            let count = try reader.length()
            var entries: [(String, Node)] = []
            for _ in 0..<count {
                guard try reader.byte() == ProxyCodec.Tag.string.rawValue else { throw reader.corrupt("a key that is not a string") }
                let key = try reader.stringBody()
                entries.append((key, try read(from: &reader)))
            }
            return .keyed(entries)
        }
    }
}

/// Reads the format back, checking every length against the bytes there are.
private struct ProxyByteReader {
    let bytes: [UInt8]
    var offset = 0

    func corrupt(_ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "malformed value bytes: \(what) at offset \(offset)"))
    }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw corrupt("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func integer() throws -> UInt64 {
        guard offset + 8 <= bytes.count else { throw corrupt("unexpected end") }
        var value: UInt64 = 0
        for i in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return value
    }

    mutating func length() throws -> Int {
        guard offset + 4 <= bytes.count else { throw corrupt("unexpected end") }
        var value = 0
        for i in (0..<4).reversed() { value = value << 8 | Int(bytes[offset + i]) }
        offset += 4
        guard value <= bytes.count - offset || value == 0 else { throw corrupt("length \(value) past the end") }
        return value
    }

    mutating func stringBody() throws -> String {
        let count = try length()
        guard offset + count <= bytes.count else { throw corrupt("string past the end") }
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }
}

// MARK: - Encoding

/// A slot the encoder fills: a leaf value or a container that keeps filling afterwards.
private final class Slot {
    enum Content { case empty, value(Node), array([Slot]), keyed([(String, Slot)]) }
    var content: Content = .empty

    var resolved: Node? {
        switch content {
        case .empty: return nil
        case .value(let node): return node
        case .array(let slots): return .array(slots.map { $0.resolved ?? .null })
        case .keyed(let entries): return .keyed(entries.map { ($0.0, $0.1.resolved ?? .null) })
        }
    }

    func appendArraySlot() -> Slot {
        let slot = Slot()
        if case .array(var slots) = content { slots.append(slot); content = .array(slots) } else { content = .array([slot]) }
        return slot
    }

    func keyedSlot(_ key: String) -> Slot {
        let slot = Slot()
        if case .keyed(var entries) = content {
            if let index = entries.firstIndex(where: { $0.0 == key }) { entries[index].1 = slot } else { entries.append((key, slot)) }
            content = .keyed(entries)
        } else {
            content = .keyed([(key, slot)])
        }
        return slot
    }
}

private final class TreeEncoder: Encoder {
    let root: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(root: Slot = Slot(), codingPath: [any CodingKey] = []) {
        self.root = root
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .keyed = root.content {} else { root.content = .keyed([]) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: root, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = root.content {} else { root.content = .array([]) }
        return UnkeyedEncoder(slot: root, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(slot: root, codingPath: codingPath)
    }
}

/// Turns one value into a node: scalars directly, anything else through its `encode(to:)`.
private func encodeNode<T: Encodable>(_ value: T, into slot: Slot, codingPath: [any CodingKey]) throws {
    switch value {
    case let v as Bool: slot.content = .value(.bool(v))
    case let v as String: slot.content = .value(.string(v))
    case let v as Double: slot.content = .value(.double(v))
    case let v as Float: slot.content = .value(.double(Double(v)))
    case let v as Int: slot.content = .value(.integer(Int64(v)))
    case let v as Int8: slot.content = .value(.integer(Int64(v)))
    case let v as Int16: slot.content = .value(.integer(Int64(v)))
    case let v as Int32: slot.content = .value(.integer(Int64(v)))
    case let v as Int64: slot.content = .value(.integer(v))
    case let v as UInt: slot.content = .value(.unsigned(UInt64(v)))
    case let v as UInt8: slot.content = .value(.unsigned(UInt64(v)))
    case let v as UInt16: slot.content = .value(.unsigned(UInt64(v)))
    case let v as UInt32: slot.content = .value(.unsigned(UInt64(v)))
    case let v as UInt64: slot.content = .value(.unsigned(v))
    default:
        try value.encode(to: TreeEncoder(root: slot, codingPath: codingPath))
        if case .empty = slot.content { slot.content = .value(.null) }
    }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeNode(value, into: slot, codingPath: codingPath) }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let slots) = slot.content { return slots.count }
        return 0
    }
    mutating func encodeNil() throws { slot.appendArraySlot().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeNode(value, into: slot.appendArraySlot(), codingPath: codingPath)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(root: slot.appendArraySlot(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(root: slot.appendArraySlot(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(root: slot.appendArraySlot(), codingPath: codingPath) }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]
    mutating func encodeNil(forKey key: Key) throws { slot.keyedSlot(key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeNode(value, into: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(root: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(root: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(root: slot.keyedSlot("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(root: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key])
    }
}

// MARK: - Decoding

private struct TreeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .keyed(let entries) = node else { throw mismatch("a keyed container") }
        return KeyedDecodingContainer(KeyedDecoder<Key>(entries: entries, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node else { throw mismatch("an unkeyed container") }
        return UnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleDecoder(node: node, codingPath: codingPath) }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(node)"))
    }
}

/// Decodes one node as a `T`: scalars directly, anything else through `init(from:)`.
private func decodeNode<T: Decodable>(_ type: T.Type, from node: Node, codingPath: [any CodingKey]) throws -> T {
    func mismatch() -> DecodingError {
        .typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "expected \(T.self), found \(node)"))
    }
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        switch node {
        case .integer(let v): if let r = I(exactly: v) { return r }
        case .unsigned(let v): if let r = I(exactly: v) { return r }
        default: break
        }
        throw mismatch()
    }
    switch T.self {
    case is Bool.Type:
        guard case .bool(let v) = node else { throw mismatch() }
        return v as! T
    case is String.Type:
        guard case .string(let v) = node else { throw mismatch() }
        return v as! T
    case is Double.Type, is Float.Type:
        let value: Double
        switch node {
        case .double(let v): value = v
        case .integer(let v): value = Double(v)
        case .unsigned(let v): value = Double(v)
        default: throw mismatch()
        }
        return (T.self == Float.self ? Float(value) as Any : value as Any) as! T
    case is Int.Type: return try integer(Int.self) as! T
    case is Int8.Type: return try integer(Int8.self) as! T
    case is Int16.Type: return try integer(Int16.self) as! T
    case is Int32.Type: return try integer(Int32.self) as! T
    case is Int64.Type: return try integer(Int64.self) as! T
    case is UInt.Type: return try integer(UInt.self) as! T
    case is UInt8.Type: return try integer(UInt8.self) as! T
    case is UInt16.Type: return try integer(UInt16.self) as! T
    case is UInt32.Type: return try integer(UInt32.self) as! T
    case is UInt64.Type: return try integer(UInt64.self) as! T
    default: return try T(from: TreeDecoder(node: node, codingPath: codingPath))
    }
}

private struct SingleDecoder: SingleValueDecodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    func decodeNil() -> Bool { if case .null = node { return true }; return false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeNode(type, from: node, codingPath: codingPath) }
}

private struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [Node]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [Node], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next() throws -> Node {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "no element \(currentIndex)"))
        }
        defer { currentIndex += 1 }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if case .null = items[currentIndex] { currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeNode(type, from: try next(), codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(node: try next(), codingPath: codingPath).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(node: try next(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { TreeDecoder(node: try next(), codingPath: codingPath) }
}

private struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [(String, Node)]
    let codingPath: [any CodingKey]
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.0) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.0 == key.stringValue } }

    private func node(_ key: Key) throws -> Node {
        guard let entry = entries.first(where: { $0.0 == key.stringValue }) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key \(key.stringValue)"))
        }
        return entry.1
    }

    func decodeNil(forKey key: Key) throws -> Bool { if case .null = try node(key) { return true }; return false }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeNode(type, from: try node(key), codingPath: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(node: try node(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(node: try node(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { TreeDecoder(node: try node(Key(stringValue: "super")!), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { TreeDecoder(node: try node(key), codingPath: codingPath + [key]) }
}
