import Glibc

// How task results cross from a pool worker to the parent. Workers are forks of the parent
// program, so plain scalars have the same layout on both sides and are copied as raw bytes;
// strings are copied as UTF-8; anything else goes through the `Codable` binary codec.

/// Scalar types whose values are copied between processes byte for byte.
@usableFromInline
protocol TriviallyWired {}
extension Int: TriviallyWired {}
extension Int8: TriviallyWired {}
extension Int16: TriviallyWired {}
extension Int32: TriviallyWired {}
extension Int64: TriviallyWired {}
extension UInt: TriviallyWired {}
extension UInt8: TriviallyWired {}
extension UInt16: TriviallyWired {}
extension UInt32: TriviallyWired {}
extension UInt64: TriviallyWired {}
extension Int128: TriviallyWired {}
extension UInt128: TriviallyWired {}
extension Double: TriviallyWired {}
extension Float: TriviallyWired {}
extension Bool: TriviallyWired {}

/// Reads values written by `PoolWire` from a byte buffer.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw PoolWire.truncated }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return value
    }

    mutating func readBytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= bytes.count else { throw PoolWire.truncated }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func readString() throws -> String {
        let count = Int(try read(UInt32.self))
        let raw = try readBytes(count)
        return String(decoding: raw, as: UTF8.self)
    }

    var remaining: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[offset...]) }
}

@usableFromInline
enum PoolWire {
    struct Truncated: Error, CustomStringConvertible {
        var description: String { "a pool message ended early: the worker's result is damaged" }
    }
    static let truncated = Truncated()

    @inline(__always)
    static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value) { out.append(contentsOf: $0) }
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt32(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    // MARK: Values

    /// Appends `values` (a chunk's results, in order) to `out`.
    @usableFromInline
    static func encode<R: Encodable>(_ values: [R], to out: inout [UInt8]) throws {
        if R.self is TriviallyWired.Type {
            values.withUnsafeBytes { out.append(contentsOf: $0) }
        } else if R.self == String.self {
            for value in values { append(value as! String, to: &out) }
        } else {
            for value in values {
                let lengthAt = out.count
                append(UInt32(0), to: &out)
                try encodeValue(value, appendingTo: &out)
                let length = UInt32(out.count - lengthAt - 4)
                withUnsafeBytes(of: length) { raw in
                    for index in 0..<4 { out[lengthAt + index] = raw[index] }
                }
            }
        }
    }

    /// Decodes `count` values written by `encode(_:to:)`.
    static func decode<R: Decodable>(_: R.Type, count: Int, from bytes: UnsafeRawBufferPointer) throws -> [R] {
        if R.self is TriviallyWired.Type {
            let size = MemoryLayout<R>.stride
            guard bytes.count == size * count else { throw truncated }
            return [R](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { memcpy(buffer.baseAddress!, bytes.baseAddress!, size * count) }
                initialized = count
            }
        }
        var reader = WireReader(bytes)
        var values: [R] = []
        values.reserveCapacity(count)
        if R.self == String.self {
            for _ in 0..<count { values.append(try reader.readString() as! R) }
        } else {
            for _ in 0..<count {
                let length = Int(try reader.read(UInt32.self))
                values.append(try decodeValue(R.self, from: try reader.readBytes(length)))
            }
        }
        return values
    }

    // MARK: Codable values

    static func encodeValue<T: Encodable>(_ value: T, appendingTo out: inout [UInt8]) throws {
        try BinaryCodec.encode(value, appendingTo: &out)
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        try BinaryCodec.decode(type, from: bytes)
    }
}
