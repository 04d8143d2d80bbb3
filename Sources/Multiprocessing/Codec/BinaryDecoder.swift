import Glibc

// The general decoder: any `Decodable` value through the `Decoder` protocol, reading the
// message in place. Every read is bounds-checked by `ByteReader`.

// MARK: - Items

extension ByteReader {
    /// Decodes the item at the current position as `T`, the fast way when the type allows,
    /// and moves past it.
    @inline(__always)
    mutating func decodeItem<T: Decodable>(_ type: T.Type, path: [any CodingKey], key: (any CodingKey)?) throws -> T {
        if let value = try BinaryCodec.readFast(type, from: &self) { return value }
        var itemPath = path
        if let key { itemPath.append(key) }
        guard itemPath.count <= BinaryFormat.maximumDepth else {
            throw CodecError.corrupt(offset: position, reason: "nesting deeper than \(BinaryFormat.maximumDepth) levels at \(CodecError.describe(itemPath))")
        }
        let decoder = ItemDecoder(bytes: bytes, start: position, codingPath: itemPath)
        let value = try T(from: decoder)
        try skipItem()
        return value
    }
}

// MARK: - Decoder

/// The `Decoder` handed to one value: the item that starts at `start`.
final class ItemDecoder: Decoder, SingleValueDecodingContainer {
    let bytes: UnsafeRawBufferPointer
    let start: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(bytes: UnsafeRawBufferPointer, start: Int, codingPath: [any CodingKey]) {
        self.bytes = bytes
        self.start = start
        self.codingPath = codingPath
    }

    private var reader: ByteReader { ByteReader(bytes, position: start) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try KeyedReader<Key>(bytes: bytes, start: start, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedReader(bytes: bytes, start: start, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single value

    func decodeNil() -> Bool { (try? reader.peekTag()) == .null }
    func decode(_ type: Bool.Type) throws -> Bool { var r = reader; return try r.readBool(path: codingPath) }
    func decode(_ type: String.Type) throws -> String { var r = reader; return try r.readString(path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { var r = reader; return try r.readDouble(path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { var r = reader; return try r.readFloat(path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { var r = reader; return try r.readInteger(type, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var r = reader
        return try r.decodeItem(type, path: codingPath, key: nil)
    }
}

// MARK: - Keyed container

/// Reads a keyed container. Lookups start at the entry found last, so reading keys in the
/// order they were written (what synthesised `Codable` does) costs one comparison per key.
final class KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let bytes: UnsafeRawBufferPointer
    let codingPath: [any CodingKey]
    private let entriesStart: Int
    private let count: Int
    /// The entry where the next lookup starts, and its index.
    private var cursor: Int
    private var cursorIndex = 0

    init(bytes: UnsafeRawBufferPointer, start: Int, codingPath: [any CodingKey]) throws {
        var reader = ByteReader(bytes, position: start)
        let tag = try reader.readTag()
        guard tag == .keyed else {
            throw CodecError.typeMismatch(expected: BinaryFormat.Tag.keyed.name, found: tag.name, path: CodecError.describe(codingPath))
        }
        let length = try reader.readLength()
        let end = reader.position + length
        let countStart = reader.position
        count = try reader.readLength()
        if reader.position > end || count > end - reader.position {
            throw CodecError.corrupt(offset: countStart, reason: "keyed container of \(length) bytes cannot hold \(count) entries")
        }
        self.bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        self.codingPath = codingPath
        self.entriesStart = reader.position
        self.cursor = reader.position
    }

    /// Finds `key`'s item; returns its offset, or nil when the key is not there.
    private func find(_ key: Key) throws -> Int? { try find(name: key.stringValue) }

    private func find(name: String) throws -> Int? {
        guard count > 0 else { return nil }
        var wanted = name
        return try wanted.withUTF8 { (name: UnsafeBufferPointer<UInt8>) throws -> Int? in
            var reader = ByteReader(bytes, position: cursor)
            var index = cursorIndex
            for _ in 0..<count {
                if index == count { index = 0; reader.position = entriesStart }
                let entry = reader.position
                let length = try reader.readLength()
                let matches = length == name.count
                    && (length == 0 || memcmp(bytes.baseAddress! + reader.position, name.baseAddress!, length) == 0)
                reader.position += length
                if matches {
                    cursor = entry
                    cursorIndex = index
                    return reader.position
                }
                try reader.skipItem()
                index += 1
            }
            return nil
        }
    }

    private func reader(for key: Key) throws -> ByteReader {
        guard let offset = try find(key) else {
            throw CodecError.keyNotFound(key: key.stringValue, path: CodecError.describe(codingPath))
        }
        return ByteReader(bytes, position: offset)
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var reader = ByteReader(bytes, position: entriesStart)
        for _ in 0..<count {
            guard let name = try? reader.readStringBody(), (try? reader.skipItem()) != nil else { break }
            if let key = Key(stringValue: name) { keys.append(key) }
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { ((try? find(key)) ?? nil) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try reader(for: key).peekTag() == .null }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { var r = try reader(for: key); return try r.readBool(path: path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { var r = try reader(for: key); return try r.readString(path: path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { var r = try reader(for: key); return try r.readDouble(path: path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { var r = try reader(for: key); return try r.readFloat(path: path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { var r = try reader(for: key); return try r.readInteger(type, path: path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        var r = try reader(for: key)
        return try r.decodeItem(type, path: codingPath, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let r = try reader(for: key)
        return KeyedDecodingContainer(try KeyedReader<NestedKey>(bytes: bytes, start: r.position, codingPath: path(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let r = try reader(for: key)
        return try UnkeyedReader(bytes: bytes, start: r.position, codingPath: path(key))
    }

    func superDecoder() throws -> any Decoder {
        guard let offset = try find(name: "super") else { throw CodecError.keyNotFound(key: "super", path: CodecError.describe(codingPath)) }
        return ItemDecoder(bytes: bytes, start: offset, codingPath: codingPath + [SuperKey()])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ItemDecoder(bytes: bytes, start: try reader(for: key).position, codingPath: path(key))
    }
}

// MARK: - Unkeyed container

/// Reads an unkeyed container, or a packed array read element by element.
struct UnkeyedReader: UnkeyedDecodingContainer {
    private enum Layout { case items, bytes, int64, float64 }

    let codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    private var reader: ByteReader
    private let layout: Layout

    init(bytes: UnsafeRawBufferPointer, start: Int, codingPath: [any CodingKey]) throws {
        var reader = ByteReader(bytes, position: start)
        let tag = try reader.readTag()
        let count: Int
        switch tag {
        case .unkeyed:
            let length = try reader.readLength()
            let end = reader.position + length
            let countStart = reader.position
            count = try reader.readLength()
            if reader.position > end || count > end - reader.position {
                throw CodecError.corrupt(offset: countStart, reason: "unkeyed container of \(length) bytes cannot hold \(count) items")
            }
            reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<end]), position: reader.position)
            layout = .items
        case .bytes:
            count = try reader.readLength()
            layout = .bytes
        case .packedInt64:
            count = try reader.readLength(unit: 8)
            layout = .int64
        case .packedFloat64:
            count = try reader.readLength(unit: 8)
            layout = .float64
        default:
            throw CodecError.typeMismatch(expected: BinaryFormat.Tag.unkeyed.name, found: tag.name, path: CodecError.describe(codingPath))
        }
        self.count = count
        self.reader = reader
        self.codingPath = codingPath
    }

    var isAtEnd: Bool { currentIndex >= count! }

    private var elementPath: [any CodingKey] { codingPath + [IndexKey(currentIndex)] }

    private func checkNotAtEnd() throws {
        if isAtEnd { throw CodecError.endOfContainer(path: CodecError.describe(codingPath)) }
    }

    /// Reads one element of a packed array as an integer of type `I`.
    private mutating func packedInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch layout {
        case .bytes:
            currentIndex += 1
            return I(try reader.readByte())
        case .int64:
            let value = Int64(bitPattern: try reader.readFixed(UInt64.self))
            guard let exact = I(exactly: value) else {
                throw CodecError.valueOutOfRange(value: String(value), type: "\(I.self)", path: CodecError.describe(elementPath))
            }
            currentIndex += 1
            return exact
        default:
            throw CodecError.typeMismatch(expected: "\(I.self)", found: "Double", path: CodecError.describe(elementPath))
        }
    }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try checkNotAtEnd()
        guard layout == .items else { return try packedInteger(type) }
        let (base, index) = (codingPath, currentIndex)
        let value = try reader.readInteger(type, path: IndexKey.path(base, index))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        try checkNotAtEnd()
        guard layout == .items, try reader.peekTag() == .null else { return false }
        reader.position += 1
        currentIndex += 1
        return true
    }

    /// Reads one element that only an item (not a packed array) can hold.
    private mutating func plainElement<V>(
        _ name: String, _ readElement: (inout ByteReader, () -> [any CodingKey]) throws -> V
    ) throws -> V {
        try checkNotAtEnd()
        let (base, index) = (codingPath, currentIndex)
        guard layout == .items else {
            throw CodecError.typeMismatch(expected: name, found: "a packed number", path: CodecError.describe(elementPath))
        }
        let value = try readElement(&reader) { IndexKey.path(base, index) }
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try plainElement("Bool") { reader, path in try reader.readBool(path: path()) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        try plainElement("String") { reader, path in try reader.readString(path: path()) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        try checkNotAtEnd()
        let (base, index) = (codingPath, currentIndex)
        let value: Double
        switch layout {
        case .items: value = try reader.readDouble(path: IndexKey.path(base, index))
        case .float64: value = Double(bitPattern: try reader.readFixed(UInt64.self))
        case .int64, .bytes:
            throw CodecError.typeMismatch(expected: "Double", found: "an integer", path: CodecError.describe(elementPath))
        }
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        try checkNotAtEnd()
        let (base, index) = (codingPath, currentIndex)
        let value: Float
        switch layout {
        case .items: value = try reader.readFloat(path: IndexKey.path(base, index))
        case .float64: value = Float(Double(bitPattern: try reader.readFixed(UInt64.self)))
        case .int64, .bytes:
            throw CodecError.typeMismatch(expected: "Float", found: "an integer", path: CodecError.describe(elementPath))
        }
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try checkNotAtEnd()
        guard layout == .items else {
            // A packed array read through a generic element type: only plain numbers fit.
            if let value = try packedElement(type) { return value }
            throw CodecError.typeMismatch(expected: "\(T.self)", found: "a packed number", path: CodecError.describe(elementPath))
        }
        let value = try reader.decodeItem(type, path: codingPath, key: IndexKey(currentIndex))
        currentIndex += 1
        return value
    }

    private mutating func packedElement<T>(_ type: T.Type) throws -> T? {
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try integer(Int64.self), to: T.self) }
        if T.self == Int32.self { return unsafeBitCast(try integer(Int32.self), to: T.self) }
        if T.self == UInt8.self { return unsafeBitCast(try integer(UInt8.self), to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try integer(UInt64.self), to: T.self) }
        if T.self == Int16.self { return unsafeBitCast(try integer(Int16.self), to: T.self) }
        if T.self == UInt32.self { return unsafeBitCast(try integer(UInt32.self), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try decode(Double.self), to: T.self) }
        if T.self == Float.self { return unsafeBitCast(try decode(Float.self), to: T.self) }
        return nil
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let decoder = try superDecoder()
        return try decoder.container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let decoder = try superDecoder()
        return try decoder.unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try checkNotAtEnd()
        guard layout == .items else {
            throw CodecError.typeMismatch(expected: "a container", found: "a packed number", path: CodecError.describe(elementPath))
        }
        let decoder = ItemDecoder(bytes: reader.bytes, start: reader.position, codingPath: elementPath)
        try reader.skipItem()
        currentIndex += 1
        return decoder
    }
}
