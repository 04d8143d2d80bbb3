// MARK: - The wire format

/// The binary format of ``BinaryCodec``: every `Codable` value the library sends between
/// processes (pipes, queues, pools, managers) is written this way. This comment is the one
/// place that describes it.
///
/// A message is exactly one *item*. An item starts with a one-byte tag; what follows depends
/// on the tag. Integers in headers are unsigned LEB128 varints (7 bits per byte, low bits
/// first, high bit set on every byte but the last); fixed-width numbers are little-endian.
///
/// | Tag    | Item                | Payload after the tag                                        |
/// |--------|---------------------|--------------------------------------------------------------|
/// | `0x00` | nil                 | nothing                                                      |
/// | `0x01` | `false`             | nothing                                                      |
/// | `0x02` | `true`              | nothing                                                      |
/// | `0x03` | signed integer      | zigzag varint (`(n << 1) ^ (n >> 63)`), any `Int` width      |
/// | `0x04` | unsigned integer    | varint, any `UInt` width                                     |
/// | `0x05` | `Float`             | 4 bytes, IEEE 754 bit pattern                                |
/// | `0x06` | `Double`            | 8 bytes, IEEE 754 bit pattern                                |
/// | `0x07` | `String`            | varint byte count, then that many bytes of UTF-8             |
/// | `0x08` | bytes (`[UInt8]`)   | varint count, then the raw bytes                             |
/// | `0x09` | unkeyed container   | varint length L; then L bytes: varint count, `count` items   |
/// | `0x0A` | keyed container     | varint length L; then L bytes: varint count, `count` entries |
/// | `0x0B` | packed `[Int]`      | varint count, then `count` × 8 bytes (two's complement)      |
/// | `0x0C` | packed `[Double]`   | varint count, then `count` × 8 bytes (IEEE 754)              |
///
/// A keyed entry is the key (varint byte count and UTF-8 of the key's `stringValue`)
/// followed by one item. Keys whose value is nil and that were encoded with
/// `encodeIfPresent` are left out, so a missing key decodes as nil. Container lengths let a
/// decoder skip any item without reading inside it, so keys may be looked up in any order.
///
/// How Swift values map onto items:
/// - structs, classes and enums with associated values (through their synthesised `Codable`
///   conformance) are keyed containers; a superclass is the entry `super`;
/// - arrays and sets are unkeyed containers, except `[UInt8]` (tag `0x08`), `[Int]`/`[Int64]`
///   (`0x0B`) and `[Double]` (`0x0C`), which are packed; a decoder reads packed items
///   wherever an unkeyed container of those numbers is asked for;
/// - `Dictionary` with `String` or `Int` keys is a keyed container; other dictionaries are
///   unkeyed containers of alternating keys and values, as `Codable` defines them;
/// - a top-level `Int`, `String`, `[Int]`… is a bare item: `42` is the two bytes `03 54`.
///
/// Decoding checks every length against the bytes that are there and every tag against the
/// type asked for; a problem is a ``CodecError``, never a crash. Values nest at most
/// ``maximumDepth`` levels deep.
enum BinaryFormat {
    /// The deepest nesting of containers accepted, so hostile input cannot exhaust the stack.
    static let maximumDepth = 512

    /// The one-byte tags that start every item.
    enum Tag: UInt8 {
        case null = 0x00
        case falseValue = 0x01
        case trueValue = 0x02
        case signed = 0x03
        case unsigned = 0x04
        case float32 = 0x05
        case float64 = 0x06
        case string = 0x07
        case bytes = 0x08
        case unkeyed = 0x09
        case keyed = 0x0A
        case packedInt64 = 0x0B
        case packedFloat64 = 0x0C

        /// A human name for error messages.
        var name: String {
            switch self {
            case .null: "nil"
            case .falseValue, .trueValue: "Bool"
            case .signed: "signed integer"
            case .unsigned: "unsigned integer"
            case .float32: "Float"
            case .float64: "Double"
            case .string: "String"
            case .bytes: "bytes"
            case .unkeyed: "unkeyed container (array)"
            case .keyed: "keyed container (struct, class or dictionary)"
            case .packedInt64: "packed [Int]"
            case .packedFloat64: "packed [Double]"
            }
        }
    }

    /// How many bytes the varint encoding of `value` takes.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}

// MARK: - Writing

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendTag(_ tag: BinaryFormat.Tag) { append(tag.rawValue) }

    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func appendFixed<I: FixedWidthInteger>(_ value: I) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func appendInteger<I: FixedWidthInteger>(_ value: I) {
        if I.isSigned {
            appendTag(.signed)
            appendVarint(BinaryFormat.zigzag(Int64(truncatingIfNeeded: value)))
        } else {
            appendTag(.unsigned)
            appendVarint(UInt64(truncatingIfNeeded: value))
        }
    }

    /// A length-prefixed UTF-8 string without a tag (keys), or with one (`tagged`).
    @inline(__always)
    mutating func appendString(_ value: String, tagged: Bool) {
        if tagged { appendTag(.string) }
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            appendVarint(UInt64(utf8.count))
            append(contentsOf: UnsafeRawBufferPointer(utf8))
        }
        if done == nil {
            appendVarint(UInt64(value.utf8.count))
            append(contentsOf: value.utf8)
        }
    }

    /// Appends the raw bytes of an array of 8-byte numbers in little-endian order.
    @inline(__always)
    mutating func appendPacked<N>(_ values: [N]) {
        #if _endian(little)
        values.withUnsafeBytes { append(contentsOf: $0) }
        #else
        values.withUnsafeBytes { raw in
            for index in 0..<values.count { appendFixed(raw.load(fromByteOffset: index * 8, as: UInt64.self)) }
        }
        #endif
    }
}

// MARK: - Reading

/// A bounds-checked cursor over the bytes being decoded.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    @inline(__always)
    func require(_ count: Int) throws(CodecError) {
        if count > bytes.count - position || count < 0 {
            throw CodecError.truncated(offset: position, needed: count, available: max(0, bytes.count - position))
        }
    }

    @inline(__always)
    mutating func readByte() throws(CodecError) -> UInt8 {
        try require(1)
        let byte = bytes[position]
        position += 1
        return byte
    }

    @inline(__always)
    mutating func readTag() throws(CodecError) -> BinaryFormat.Tag {
        let start = position
        let byte = try readByte()
        guard let tag = BinaryFormat.Tag(rawValue: byte) else {
            throw CodecError.corrupt(offset: start, reason: "unknown tag 0x\(String(byte, radix: 16))")
        }
        return tag
    }

    @inline(__always)
    func peekTag() throws(CodecError) -> BinaryFormat.Tag {
        var copy = self
        return try copy.readTag()
    }

    @inline(__always)
    mutating func readVarint() throws(CodecError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63, byte > 1 {
                throw CodecError.corrupt(offset: start, reason: "varint does not fit in 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw CodecError.corrupt(offset: start, reason: "varint longer than 10 bytes") }
        }
    }

    /// A varint count or length that must fit in the remaining bytes (`unit` bytes each).
    @inline(__always)
    mutating func readLength(unit: Int = 1) throws(CodecError) -> Int {
        let start = position
        let value = try readVarint()
        guard value <= UInt64(Int.max / max(unit, 1)) else {
            throw CodecError.corrupt(offset: start, reason: "length \(value) is impossibly large")
        }
        let count = Int(value)
        try require(count * unit)
        return count
    }

    @inline(__always)
    mutating func readFixed<I: FixedWidthInteger>(_ type: I.Type) throws(CodecError) -> I {
        try require(MemoryLayout<I>.size)
        let value = bytes.loadUnaligned(fromByteOffset: position, as: I.self)
        position += MemoryLayout<I>.size
        return I(littleEndian: value)
    }

    /// A length-prefixed UTF-8 string (without its tag), validated.
    @inline(__always)
    mutating func readStringBody() throws(CodecError) -> String {
        let count = try readLength()
        let start = position
        let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])
        position += count
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw CodecError.invalidUTF8(offset: start)
        }
        return string
    }

    /// Moves past one whole item without decoding it.
    mutating func skipItem() throws(CodecError) {
        switch try readTag() {
        case .null, .falseValue, .trueValue: break
        case .signed, .unsigned: _ = try readVarint()
        case .float32: try require(4); position += 4
        case .float64: try require(8); position += 8
        case .string, .bytes, .unkeyed, .keyed: position += try readLength()
        case .packedInt64, .packedFloat64: position += try readLength(unit: 8) * 8
        }
    }

    /// Reads an integer item of any width into `I`, checking that it fits.
    @inline(__always)
    mutating func readInteger<I: FixedWidthInteger>(_ type: I.Type, path: @autoclosure () -> [any CodingKey]) throws(CodecError) -> I {
        let start = position
        let tag = try readTag()
        switch tag {
        case .signed:
            let value = BinaryFormat.unzigzag(try readVarint())
            if let exact = I(exactly: value) { return exact }
            throw CodecError.valueOutOfRange(value: String(value), type: "\(I.self)", path: CodecError.describe(path()))
        case .unsigned:
            let value = try readVarint()
            if let exact = I(exactly: value) { return exact }
            throw CodecError.valueOutOfRange(value: String(value), type: "\(I.self)", path: CodecError.describe(path()))
        default:
            position = start
            throw CodecError.typeMismatch(expected: "\(I.self)", found: tag.name, path: CodecError.describe(path()))
        }
    }

    @inline(__always)
    mutating func readDouble(path: @autoclosure () -> [any CodingKey]) throws(CodecError) -> Double {
        let tag = try readTag()
        switch tag {
        case .float64: return Double(bitPattern: try readFixed(UInt64.self))
        case .float32: return Double(Float(bitPattern: try readFixed(UInt32.self)))
        default: throw CodecError.typeMismatch(expected: "Double", found: tag.name, path: CodecError.describe(path()))
        }
    }

    @inline(__always)
    mutating func readFloat(path: @autoclosure () -> [any CodingKey]) throws(CodecError) -> Float {
        let tag = try readTag()
        switch tag {
        case .float32: return Float(bitPattern: try readFixed(UInt32.self))
        case .float64: return Float(Double(bitPattern: try readFixed(UInt64.self)))
        default: throw CodecError.typeMismatch(expected: "Float", found: tag.name, path: CodecError.describe(path()))
        }
    }

    @inline(__always)
    mutating func readBool(path: @autoclosure () -> [any CodingKey]) throws(CodecError) -> Bool {
        let tag = try readTag()
        switch tag {
        case .trueValue: return true
        case .falseValue: return false
        default: throw CodecError.typeMismatch(expected: "Bool", found: tag.name, path: CodecError.describe(path()))
        }
    }

    @inline(__always)
    mutating func readString(path: @autoclosure () -> [any CodingKey]) throws(CodecError) -> String {
        let tag = try readTag()
        guard tag == .string else {
            throw CodecError.typeMismatch(expected: "String", found: tag.name, path: CodecError.describe(path()))
        }
        return try readStringBody()
    }
}
