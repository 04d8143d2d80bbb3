// How a named task's chunk crosses to a worker (written by the parent, read by
// `NamedTaskRunner` in the worker):
//
//   [UInt8 shape: 1 one argument, 2 two arguments]
//   [String the task type's mangled name][String its readable name]
//   [UInt32 length][the task value, BinaryCodec]
//   [UInt32 item count]
//   shape 1: the inputs as PoolWire values
//   shape 2: [UInt32 length][the first arguments as PoolWire values][the second arguments]
//
// Strings are PoolWire strings (UInt32 length, UTF-8).

enum TaskPayload {
    enum Shape: UInt8 {
        case single = 1
        case pair = 2
    }

    /// The part every chunk of one call shares: shape, type names, the task's stored state.
    ///
    /// - Throws: ``PoolError/unnamedTask(typeName:)`` when the runtime cannot find `T` by
    ///   name; a `CodecError` when the task value cannot be encoded.
    static func header<T: Encodable>(_ task: T, shape: Shape) throws -> [UInt8] {
        guard let name = TypeNames.name(of: T.self) else {
            throw PoolError.unnamedTask(typeName: TypeNames.readableName(of: T.self))
        }
        var out: [UInt8] = [shape.rawValue]
        PoolWire.append(name, to: &out)
        PoolWire.append(TypeNames.readableName(of: T.self), to: &out)
        try appendSized(&out) { try PoolWire.encodeValue(task, appendingTo: &$0) }
        return out
    }

    /// The chunks of a one-argument call over `items`, `chunkSize` items each.
    static func chunks<T: PoolTask>(_ task: T, _ items: [T.Input], chunkSize: Int) throws -> [[UInt8]] {
        let header = try header(task, shape: .single)
        return try stride(from: 0, to: items.count, by: chunkSize).map { start in
            let slice = Array(items[start..<min(start + chunkSize, items.count)])
            var out = header
            PoolWire.append(UInt32(slice.count), to: &out)
            try PoolWire.encode(slice, to: &out)
            return out
        }
    }

    /// The chunks of a two-argument call over `items`, `chunkSize` pairs each.
    static func chunks<T: PairTask>(_ task: T, _ items: [(T.First, T.Second)], chunkSize: Int) throws -> [[UInt8]] {
        let header = try header(task, shape: .pair)
        return try stride(from: 0, to: items.count, by: chunkSize).map { start in
            let slice = items[start..<min(start + chunkSize, items.count)]
            var out = header
            PoolWire.append(UInt32(slice.count), to: &out)
            try appendSized(&out) { try PoolWire.encode(slice.map(\.0), to: &$0) }
            try PoolWire.encode(slice.map(\.1), to: &out)
            return out
        }
    }

    /// Appends a UInt32 length, then what `body` appends, then patches the length.
    private static func appendSized(_ out: inout [UInt8], _ body: (inout [UInt8]) throws -> Void) rethrows {
        let lengthAt = out.count
        PoolWire.append(UInt32(0), to: &out)
        try body(&out)
        let length = UInt32(out.count - lengthAt - 4)
        withUnsafeBytes(of: length) { raw in
            for index in 0..<4 { out[lengthAt + index] = raw[index] }
        }
    }
}
