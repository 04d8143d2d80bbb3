// How a task's error crosses from a worker to the parent, after a frame's job and chunk:
//
//   [String readable type name][String description]
//   then, when the error is Codable: [String mangled type name][the error, BinaryCodec]
//
// The parent rebuilds a Codable error as its own type, so `catch let error as MyError` works;
// any other error arrives as a `WorkerError` with the type name and message.

enum TaskFailure {
    /// Worker side: appends `error` to a failure frame.
    static func append(_ error: any Error, to out: inout [UInt8]) {
        PoolWire.append(TypeNames.readableName(of: type(of: error)), to: &out)
        PoolWire.append(String(describing: error), to: &out)
        guard let codable = error as? any Error & Codable,
              let name = TypeNames.name(of: type(of: codable), cached: false) else { return }
        var value: [UInt8] = []
        guard (try? encode(codable, to: &value)) != nil else { return }
        PoolWire.append(name, to: &out)
        out.append(contentsOf: value)
    }

    /// Parent side: the error of a failure frame whose reader is past job and chunk.
    static func read(_ reader: inout WireReader, worker: String) -> any Error {
        let typeName = (try? reader.readString()) ?? "Error"
        let message = (try? reader.readString()) ?? ""
        if let name = try? reader.readString(),
           let type = TypeNames.type(named: name) as? any (Error & Decodable).Type,
           let error = try? decode(type, from: reader.remaining) {
            return error
        }
        return WorkerError(typeName: typeName, message: message, worker: worker)
    }

    private static func encode<E: Encodable>(_ error: E, to out: inout [UInt8]) throws {
        try PoolWire.encodeValue(error, appendingTo: &out)
    }

    private static func decode<E: Error & Decodable>(_: E.Type, from bytes: UnsafeRawBufferPointer) throws -> any Error {
        try PoolWire.decodeValue(E.self, from: bytes)
    }
}
