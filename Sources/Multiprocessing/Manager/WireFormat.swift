// The manager's messages. Every message is one frame: a 4-byte little-endian length, then the
// body. A request body is the operation (1 byte), the object id (4 bytes), a timeout in
// nanoseconds (8 bytes, -1 = forever) and then fields; a reply body is a status byte (0 ok,
// 1 error) and fields. A field is a 4-byte length and that many bytes.

/// What a request asks the server to do.
enum Operation: UInt8 {
    // The manager itself (object id 0).
    case create = 1, shutdown, ping
    // Dictionaries (and namespaces, which are dictionaries keyed by attribute name).
    case dictGet = 10, dictGetOptional, dictSet, dictRemove, dictContains, dictCount, dictKeys,
         dictValues, dictItems, dictUpdate, dictClear
    // Lists.
    case listAppend = 30, listExtend, listGet, listSet, listRemoveAt, listCount, listItems,
         listInsert, listClear
    // Values.
    case valueGet = 50, valueSet
    // Locks, semaphores and conditions (a condition is an RLock with waiters).
    case acquire = 60, release, semaphoreValue, conditionWait, conditionNotify, conditionNotifyAll
    // Events.
    case eventSet = 70, eventClear, eventIsSet, eventWait
    // Barriers.
    case barrierWait = 80, barrierReset, barrierAbort, barrierState
    // Queues.
    case queuePut = 90, queueGet, queueSize, queueTaskDone, queueJoin
    // Objects of registered types.
    case callMethod = 100
}

/// The kinds of shared objects a server holds.
enum ObjectKind: UInt8, CustomStringConvertible {
    case dict = 1, list, value, lock, rlock, semaphore, boundedSemaphore, event, condition, barrier,
         queue, joinableQueue, namespace, registered

    var description: String {
        switch self {
        case .dict: "dict"
        case .list: "list"
        case .value: "Value"
        case .lock: "Lock"
        case .rlock: "RLock"
        case .semaphore: "Semaphore"
        case .boundedSemaphore: "BoundedSemaphore"
        case .event: "Event"
        case .condition: "Condition"
        case .barrier: "Barrier"
        case .queue: "Queue"
        case .joinableQueue: "JoinableQueue"
        case .namespace: "Namespace"
        case .registered: "registered object"
        }
    }
}

/// The error kinds a reply can carry (the client turns them into ``ManagerError`` cases).
enum RemoteErrorKind: UInt8 {
    case keyNotFound = 1, indexOutOfRange, malformed, queueEmpty, queueFull, notOwner,
         overReleased, brokenBarrier, taskDoneTooManyTimes, wrongKind, other, messageTooLarge,
         unknownType, unknownMethod, methodFailed
}

// MARK: - Writing

/// Builds one frame in a reusable buffer, so a request or reply goes out in a single write.
struct FrameWriter {
    var bytes: [UInt8] = []

    /// Starts a request frame.
    mutating func beginRequest(_ operation: Operation, object: UInt32, timeoutNanoseconds: Int64) {
        bytes.removeAll(keepingCapacity: true)
        bytes += [0, 0, 0, 0, operation.rawValue]
        appendRaw(object)
        appendRaw(UInt64(bitPattern: timeoutNanoseconds))
    }

    /// Starts a reply frame with status 0 (ok) or 1 (error).
    mutating func beginReply(ok: Bool) {
        bytes.removeAll(keepingCapacity: true)
        bytes += [0, 0, 0, 0, ok ? 0 : 1]
    }

    mutating func appendRaw<I: FixedWidthInteger>(_ value: I) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0) }
    }

    /// A field holding `field` as is.
    mutating func appendField<C: Collection>(_ field: C) where C.Element == UInt8 {
        appendRaw(UInt32(field.count))
        bytes.append(contentsOf: field)
    }

    /// A field holding one integer (8 bytes).
    mutating func appendIntField(_ value: Int) {
        appendRaw(UInt32(8))
        appendRaw(Int64(value))
    }

    /// A field holding the encoding of `value`, written straight into the frame.
    mutating func appendEncodedField<T: Encodable>(_ value: T) throws {
        let start = bytes.count
        appendRaw(UInt32(0))
        do {
            try ProxyCodec.encode(value, appendingTo: &bytes)
        } catch {
            bytes.removeSubrange(start...)
            throw ManagerError.encodingFailed(type: String(describing: T.self), reason: String(describing: error))
        }
        let length = UInt32(bytes.count - start - 4)
        for i in 0..<4 { bytes[start + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    }

    /// Fills in the length prefix; the frame is ready to send.
    mutating func finish() {
        let length = UInt32(bytes.count - 4)
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    }
}

// MARK: - Reading

/// Reads the fields of one received frame body, checking every length.
struct FrameReader {
    let body: [UInt8]
    var offset: Int

    init(body: [UInt8], offset: Int = 0) {
        self.body = body
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= body.count }

    mutating func raw<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let size = MemoryLayout<I>.size
        guard offset + size <= body.count else { throw ManagerError.malformedMessage(reason: "message ends early (\(body.count) bytes)") }
        var value: I = 0
        for i in (0..<size).reversed() { value = value << 8 | I(truncatingIfNeeded: body[offset + i]) }
        offset += size
        return value
    }

    /// The next field's bytes.
    mutating func field() throws -> ArraySlice<UInt8> {
        let count = Int(try raw(UInt32.self))
        guard count <= body.count - offset else {
            throw ManagerError.malformedMessage(reason: "a field of \(count) bytes runs past the end of a \(body.count)-byte message")
        }
        defer { offset += count }
        return body[offset..<offset + count]
    }

    /// The next field as an array.
    mutating func fieldBytes() throws -> [UInt8] { Array(try field()) }

    /// The next field as one integer.
    mutating func intField() throws -> Int {
        let bytes = try field()
        guard bytes.count == 8 else { throw ManagerError.malformedMessage(reason: "an integer field of \(bytes.count) bytes") }
        var value: UInt64 = 0
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return Int(Int64(bitPattern: value))
    }

    /// The next field decoded as a `T`.
    mutating func decodedField<T: Decodable>(_ type: T.Type) throws -> T {
        let bytes = try field()
        do {
            return try ProxyCodec.decode(type, from: bytes)
        } catch {
            throw ManagerError.decodingFailed(type: String(describing: T.self), reason: String(describing: error))
        }
    }

    /// Every field left, each decoded as a `T`.
    mutating func decodedFields<T: Decodable>(_ type: T.Type) throws -> [T] {
        var values: [T] = []
        while !isAtEnd { values.append(try decodedField(type)) }
        return values
    }
}
