// The byte encoding of values that proxies send to the manager's server: the library's binary
// codec. The server never decodes values: it stores, compares and returns the bytes, so
// dictionary keys are compared by their encoding.

/// Encodes and decodes proxy values.
enum ProxyCodec {
    /// The bytes of `value`.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try BinaryCodec.encode(value)
    }

    /// Appends the bytes of `value` to `out`.
    static func encode<T: Encodable>(_ value: T, appendingTo out: inout [UInt8]) throws {
        try BinaryCodec.encode(value, appendingTo: &out)
    }

    /// Decodes a `T` from `bytes`; throws when the bytes are not a `T`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws -> T {
        try bytes.withUnsafeBytes { try BinaryCodec.decode(type, from: $0) }
    }
}
