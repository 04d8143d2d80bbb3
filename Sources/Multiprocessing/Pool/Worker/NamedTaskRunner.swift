// Worker side of named tasks: reads a chunk written by `TaskPayload`, finds the task type by
// its name, decodes the task and its arguments, runs it, and encodes the results.

/// Runs the chunks of named tasks in one worker; remembers the types it has found.
struct NamedTaskRunner {
    private var types: [String: Any.Type] = [:]

    /// Runs the chunk in `payload` and appends its results (PoolWire values) to `out`.
    ///
    /// - Throws: ``PoolError/unknownTask(typeName:)`` when this program has no type of that
    ///   name; whatever the task throws; a decoding error for a damaged payload.
    mutating func run(_ payload: [UInt8], out: inout [UInt8]) throws {
        try payload.withUnsafeBytes { bytes in
            var reader = WireReader(bytes)
            let shape = TaskPayload.Shape(rawValue: try reader.read(UInt8.self))
            let name = try reader.readString()
            let readable = try reader.readString()
            let state = try reader.readBytes(Int(try reader.read(UInt32.self)))
            let count = Int(try reader.read(UInt32.self))
            let type = try find(name, readable: readable)
            switch shape {
            case .single:
                guard let task = type as? any PoolTask.Type else { throw PoolError.unknownTask(typeName: readable) }
                try Self.runSingle(task, state: state, count: count, inputs: reader.remaining, out: &out)
            case .pair:
                guard let task = type as? any PairTask.Type else { throw PoolError.unknownTask(typeName: readable) }
                let firsts = try reader.readBytes(Int(try reader.read(UInt32.self)))
                try Self.runPairs(task, state: state, count: count, firsts: firsts, seconds: reader.remaining, out: &out)
            case nil:
                throw PoolWire.truncated
            }
        }
    }

    private mutating func find(_ name: String, readable: String) throws -> Any.Type {
        if let type = types[name] { return type }
        guard let type = TypeNames.type(named: name) else { throw PoolError.unknownTask(typeName: readable) }
        types[name] = type
        return type
    }

    private static func runSingle<T: PoolTask>(
        _: T.Type, state: UnsafeRawBufferPointer, count: Int, inputs: UnsafeRawBufferPointer, out: inout [UInt8]
    ) throws {
        let task = try PoolWire.decodeValue(T.self, from: state)
        let arguments = try PoolWire.decode(T.Input.self, count: count, from: inputs)
        var results: [T.Output] = []
        results.reserveCapacity(count)
        for argument in arguments { results.append(try task(argument)) }
        try PoolWire.encode(results, to: &out)
    }

    private static func runPairs<T: PairTask>(
        _: T.Type, state: UnsafeRawBufferPointer, count: Int,
        firsts: UnsafeRawBufferPointer, seconds: UnsafeRawBufferPointer, out: inout [UInt8]
    ) throws {
        let task = try PoolWire.decodeValue(T.self, from: state)
        let first = try PoolWire.decode(T.First.self, count: count, from: firsts)
        let second = try PoolWire.decode(T.Second.self, count: count, from: seconds)
        var results: [T.Output] = []
        results.reserveCapacity(count)
        for index in 0..<count { results.append(try task(first[index], second[index])) }
        try PoolWire.encode(results, to: &out)
    }
}
