// Temporary stand-in until the codec branch is merged (delete this file then).
struct BinaryCodecStubError: Error {}
enum BinaryCodec {
    static func encode<T: Encodable>(_ value: T, appendingTo buffer: inout [UInt8]) throws { throw BinaryCodecStubError() }
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T { throw BinaryCodecStubError() }
}
