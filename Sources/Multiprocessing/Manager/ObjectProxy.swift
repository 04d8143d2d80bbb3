/// A proxy for an object of a type registered with ``ManagerRegistry`` (Python's `AutoProxy`):
/// calls its exposed methods by name.
///
/// ```swift
/// let maths = try manager.object("Maths")
/// let sum: Int = try maths.call("add", [4, 3])
/// ```
public struct ObjectProxy: Sendable {
    let client: ManagerClient
    let id: UInt32

    private func reply(_ method: String, argument: ((inout FrameWriter) throws -> Void)?) throws -> FrameReader {
        try client.call(.callMethod, object: id) { writer in
            writer.appendField(Array(method.utf8))
            try argument?(&writer)
        }
    }

    /// Calls `method`, which takes no argument, and returns its result.
    ///
    /// - Throws: ``ManagerError/unknownMethod(typeID:method:exposed:)``,
    ///   ``ManagerError/methodFailed(typeID:method:reason:)`` when the method threw, or
    ///   ``ManagerError/decodingFailed(type:reason:)`` when the result is not a `Result`.
    public func call<Result: Decodable>(_ method: String, returning: Result.Type = Result.self) throws -> Result {
        var reader = try reply(method, argument: nil)
        return try reader.decodedField(Result.self)
    }

    /// Calls `method` with `argument` and returns its result.
    public func call<Argument: Encodable, Result: Decodable>(
        _ method: String, _ argument: Argument, returning: Result.Type = Result.self
    ) throws -> Result {
        var reader = try reply(method) { try $0.appendEncodedField(argument) }
        return try reader.decodedField(Result.self)
    }

    /// Calls `method`, which takes no argument, for its effect.
    public func call(_ method: String) throws {
        _ = try reply(method, argument: nil)
    }

    /// Calls `method` with `argument`, for its effect.
    public func call<Argument: Encodable>(_ method: String, _ argument: Argument) throws {
        _ = try reply(method) { try $0.appendEncodedField(argument) }
    }
}
