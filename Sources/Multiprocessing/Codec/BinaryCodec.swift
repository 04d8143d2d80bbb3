/// Encodes `Codable` values to the compact binary format described by ``BinaryFormat`` and
/// decodes them back: what connections, queues, pools and managers put on the wire.
///
/// Common types skip the `Encoder` machinery entirely: `Int`, `Int32`, `Int64`, `UInt8`,
/// `UInt64`, `Double`, `Float`, `Bool`, `String`, `[UInt8]`, `[Int]`, `[Int64]`, `[Double]`
/// and `[String]` are written and read directly, at the top level and inside containers.
/// Everything else goes through `Encodable`/`Decodable`.
enum BinaryCodec {
    // MARK: - Public entry points

    /// Encodes `value` into a new buffer.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var buffer: [UInt8] = []
        try encode(value, appendingTo: &buffer)
        return buffer
    }

    /// Encodes `value` at the end of `buffer` (which may already hold a frame header).
    static func encode<T: Encodable>(_ value: T, appendingTo buffer: inout [UInt8]) throws {
        if writeFast(value, into: &buffer) { return }
        let root = EncodingNode(kind: .slot)
        // A large first write into `root.bytes` would be copied once more below; values that
        // are mostly one big scalar should use a fast-path type.
        try root.encodeItem(value, path: [], key: nil)
        root.writeRoot(into: &buffer)
    }

    /// Decodes a `T` from exactly the bytes given.
    ///
    /// - Throws: ``CodecError`` when the bytes are not a `T` in this format, including when
    ///   bytes are left over after it.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        var reader = ByteReader(bytes)
        let value = try reader.decodeItem(type, path: [], key: nil)
        if reader.remaining != 0 { throw CodecError.trailingBytes(count: reader.remaining) }
        return value
    }

    // MARK: - Fast paths

    /// Looks the fast-path array types up now, in the process that creates a connection, so
    /// a forked child does not instantiate runtime metadata for them (another thread of the
    /// parent may have held a runtime lock at the moment of the fork).
    static func prepareFastPaths() {
        _ = (ArrayTypes.bytes, ArrayTypes.ints, ArrayTypes.doubles, ArrayTypes.int64s, ArrayTypes.strings)
    }

    /// The array types with fast paths. Their metadata is looked up once, not per message.
    private enum ArrayTypes {
        static let bytes = ObjectIdentifier([UInt8].self)
        static let ints = ObjectIdentifier([Int].self)
        static let doubles = ObjectIdentifier([Double].self)
        static let int64s = ObjectIdentifier([Int64].self)
        static let strings = ObjectIdentifier([String].self)
    }

    /// Writes `value` directly when its type has a fast path; returns false otherwise.
    @inline(__always)
    static func writeFast<T: Encodable>(_ value: T, into buffer: inout [UInt8]) -> Bool {
        let id = ObjectIdentifier(T.self)
        if T.self == Int.self {
            buffer.appendInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == String.self {
            buffer.appendString(unsafeBitCast(value, to: String.self), tagged: true)
        } else if T.self == Double.self {
            buffer.appendTag(.float64)
            buffer.appendFixed(unsafeBitCast(value, to: Double.self).bitPattern)
        } else if id == ArrayTypes.bytes {
            let bytes = unsafeBitCast(value, to: [UInt8].self)
            buffer.appendTag(.bytes)
            buffer.appendVarint(UInt64(bytes.count))
            buffer.append(contentsOf: bytes)
        } else if id == ArrayTypes.ints {
            let values = unsafeBitCast(value, to: [Int].self)
            buffer.appendTag(.packedInt64)
            buffer.appendVarint(UInt64(values.count))
            buffer.appendPacked(values)
        } else if id == ArrayTypes.doubles {
            let values = unsafeBitCast(value, to: [Double].self)
            buffer.appendTag(.packedFloat64)
            buffer.appendVarint(UInt64(values.count))
            buffer.appendPacked(values)
        } else if T.self == Bool.self {
            buffer.appendTag(unsafeBitCast(value, to: Bool.self) ? .trueValue : .falseValue)
        } else if T.self == Int32.self {
            buffer.appendInteger(unsafeBitCast(value, to: Int32.self))
        } else if T.self == Int64.self {
            buffer.appendInteger(unsafeBitCast(value, to: Int64.self))
        } else if T.self == UInt8.self {
            buffer.appendInteger(unsafeBitCast(value, to: UInt8.self))
        } else if T.self == UInt64.self {
            buffer.appendInteger(unsafeBitCast(value, to: UInt64.self))
        } else if T.self == Float.self {
            buffer.appendTag(.float32)
            buffer.appendFixed(unsafeBitCast(value, to: Float.self).bitPattern)
        } else if id == ArrayTypes.int64s {
            let values = unsafeBitCast(value, to: [Int64].self)
            buffer.appendTag(.packedInt64)
            buffer.appendVarint(UInt64(values.count))
            buffer.appendPacked(values)
        } else if id == ArrayTypes.strings {
            writeStrings(unsafeBitCast(value, to: [String].self), into: &buffer)
        } else {
            return false
        }
        return true
    }

    /// Encodes a scalar of a fast-path type (`Int`, `Int32`, `Int64`, `UInt8`, `UInt64`,
    /// `Bool`, `Double`, `Float`) at `destination`, which has room for 16 bytes, and returns
    /// the size; nil for any other type. Lets a connection build a small frame on the stack.
    @inline(__always)
    static func encodeScalar<T: Encodable>(_ value: T, into destination: UnsafeMutableRawPointer) -> Int? {
        func varint(_ tag: BinaryFormat.Tag, _ value: UInt64) -> Int {
            destination.storeBytes(of: tag.rawValue, as: UInt8.self)
            var value = value
            var index = 1
            while value >= 0x80 {
                destination.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, toByteOffset: index, as: UInt8.self)
                value >>= 7
                index += 1
            }
            destination.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: index, as: UInt8.self)
            return index + 1
        }
        func fixed<I: FixedWidthInteger>(_ tag: BinaryFormat.Tag, _ bits: I) -> Int {
            destination.storeBytes(of: tag.rawValue, as: UInt8.self)
            (destination + 1).storeBytes(of: bits.littleEndian, as: I.self)
            return 1 + MemoryLayout<I>.size
        }
        if T.self == Int.self { return varint(.signed, BinaryFormat.zigzag(Int64(unsafeBitCast(value, to: Int.self)))) }
        if T.self == Double.self { return fixed(.float64, unsafeBitCast(value, to: Double.self).bitPattern) }
        if T.self == Bool.self {
            destination.storeBytes(of: (unsafeBitCast(value, to: Bool.self) ? BinaryFormat.Tag.trueValue : .falseValue).rawValue, as: UInt8.self)
            return 1
        }
        if T.self == Int32.self { return varint(.signed, BinaryFormat.zigzag(Int64(unsafeBitCast(value, to: Int32.self)))) }
        if T.self == Int64.self { return varint(.signed, BinaryFormat.zigzag(unsafeBitCast(value, to: Int64.self))) }
        if T.self == UInt8.self { return varint(.unsigned, UInt64(unsafeBitCast(value, to: UInt8.self))) }
        if T.self == UInt64.self { return varint(.unsigned, unsafeBitCast(value, to: UInt64.self)) }
        if T.self == Float.self { return fixed(.float32, unsafeBitCast(value, to: Float.self).bitPattern) }
        return nil
    }

    /// `[String]` as an unkeyed container of string items, written in one pass.
    private static func writeStrings(_ strings: [String], into buffer: inout [UInt8]) {
        var inner = BinaryFormat.varintSize(UInt64(strings.count))
        for string in strings {
            let count = string.utf8.count
            inner += 1 + BinaryFormat.varintSize(UInt64(count)) + count
        }
        buffer.reserveCapacity(buffer.count + 1 + BinaryFormat.varintSize(UInt64(inner)) + inner)
        buffer.appendTag(.unkeyed)
        buffer.appendVarint(UInt64(inner))
        buffer.appendVarint(UInt64(strings.count))
        for string in strings { buffer.appendString(string, tagged: true) }
    }

    /// Reads a `T` directly when its type has a fast path; returns nil to use `Decodable`.
    @inline(__always)
    static func readFast<T: Decodable>(_ type: T.Type, from reader: inout ByteReader) throws(CodecError) -> T? {
        let id = ObjectIdentifier(T.self)
        if T.self == Int.self {
            return unsafeBitCast(try reader.readInteger(Int.self, path: []), to: T.self)
        } else if T.self == String.self {
            return unsafeBitCast(try reader.readString(path: []), to: T.self)
        } else if T.self == Double.self {
            return unsafeBitCast(try reader.readDouble(path: []), to: T.self)
        } else if id == ArrayTypes.bytes {
            guard try reader.peekTag() == .bytes else { return nil }
            reader.position += 1
            let count = try reader.readLength()
            let start = reader.position
            reader.position += count
            return unsafeBitCast(Array(reader.bytes[start..<start + count]), to: T.self)
        } else if id == ArrayTypes.ints {
            guard let values = try readPacked(Int.self, from: &reader) else { return nil }
            return unsafeBitCast(values, to: T.self)
        } else if id == ArrayTypes.doubles {
            guard try reader.peekTag() == .packedFloat64 else { return nil }
            reader.position += 1
            let count = try reader.readLength(unit: 8)
            return unsafeBitCast(readPackedBody(Double.self, count: count, from: &reader), to: T.self)
        } else if T.self == Bool.self {
            return unsafeBitCast(try reader.readBool(path: []), to: T.self)
        } else if T.self == Int32.self {
            return unsafeBitCast(try reader.readInteger(Int32.self, path: []), to: T.self)
        } else if T.self == Int64.self {
            return unsafeBitCast(try reader.readInteger(Int64.self, path: []), to: T.self)
        } else if T.self == UInt8.self {
            return unsafeBitCast(try reader.readInteger(UInt8.self, path: []), to: T.self)
        } else if T.self == UInt64.self {
            return unsafeBitCast(try reader.readInteger(UInt64.self, path: []), to: T.self)
        } else if T.self == Float.self {
            return unsafeBitCast(try reader.readFloat(path: []), to: T.self)
        } else if id == ArrayTypes.int64s {
            guard let values = try readPacked(Int64.self, from: &reader) else { return nil }
            return unsafeBitCast(values, to: T.self)
        } else if id == ArrayTypes.strings {
            return unsafeBitCast(try readStrings(from: &reader), to: T.self)
        }
        return nil
    }

    private static func readPacked<I: FixedWidthInteger>(_ type: I.Type, from reader: inout ByteReader) throws(CodecError) -> [I]? {
        guard try reader.peekTag() == .packedInt64 else { return nil }
        reader.position += 1
        let count = try reader.readLength(unit: 8)
        return readPackedBody(I.self, count: count, from: &reader)
    }

    /// Copies `count` 8-byte little-endian numbers out of the message (the length is checked).
    private static func readPackedBody<N>(_ type: N.Type, count: Int, from reader: inout ByteReader) -> [N] {
        let source = reader.bytes.baseAddress.map { $0 + reader.position }
        reader.position += count * 8
        return [N](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, let source {
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                raw.copyMemory(from: source, byteCount: count * 8)
                #if _endian(big)
                for index in 0..<count {
                    let word = raw.load(fromByteOffset: index * 8, as: UInt64.self)
                    raw.storeBytes(of: UInt64(littleEndian: word), toByteOffset: index * 8, as: UInt64.self)
                }
                #endif
            }
            initialized = count
        }
    }

    private static func readStrings(from reader: inout ByteReader) throws(CodecError) -> [String] {
        let start = reader.position
        let tag = try reader.readTag()
        guard tag == .unkeyed else {
            throw CodecError.typeMismatch(expected: "[String]", found: tag.name, path: "top level")
        }
        let length = try reader.readLength()
        let end = reader.position + length
        let count = try reader.readLength()
        guard count <= end - reader.position else {
            throw CodecError.corrupt(offset: start, reason: "array of \(length) bytes cannot hold \(count) strings")
        }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for index in 0..<count {
            strings.append(try reader.readString(path: [IndexKey(index)]))
        }
        guard reader.position == end else {
            throw CodecError.corrupt(offset: start, reason: "array length does not match its strings")
        }
        return strings
    }
}
