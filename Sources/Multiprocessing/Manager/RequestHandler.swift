/// Carries out one request on the server for one connection and writes the reply.
struct RequestHandler {
    /// What the connection's thread does after replying.
    enum Outcome { case keepServing, shutDownServer }

    let state: ServerState
    let connection: Int

    /// Parses and performs `body`, writing an ok or error reply into `reply`. A malformed
    /// request gets an error reply; the connection and the server keep serving.
    func handle(_ body: [UInt8], reply: inout FrameWriter) -> Outcome {
        var reader = FrameReader(body: body)
        do {
            guard body.count >= 13 else {
                throw RemoteError(.malformed, "a request of \(body.count) bytes is shorter than its 13-byte header")
            }
            let code = try reader.raw(UInt8.self)
            guard let operation = Operation(rawValue: code) else {
                throw RemoteError(.malformed, "unknown operation \(code)")
            }
            let id = try reader.raw(UInt32.self)
            let timeout = Int64(bitPattern: try reader.raw(UInt64.self))
            let deadline = timeout < 0 ? Deadline.forever : Deadline(nanoseconds: monotonicNanoseconds() + timeout)
            reply.beginReply(ok: true)
            if operation == .shutdown { return .shutDownServer }
            try perform(operation, id: id, deadline: deadline, reader: &reader, reply: &reply)
        } catch let error as RemoteError {
            Self.writeError(error, into: &reply)
        } catch let error as ManagerError {
            Self.writeError(RemoteError(.malformed, error.description), into: &reply)
        } catch {
            Self.writeError(RemoteError(.other, String(describing: error)), into: &reply)
        }
        return .keepServing
    }

    /// Replaces `reply` with an error reply carrying `error`.
    static func writeError(_ error: RemoteError, into reply: inout FrameWriter) {
        reply.beginReply(ok: false)
        reply.appendField([error.kind.rawValue])
        reply.appendField(Array(error.message.utf8))
        reply.appendRaw(UInt32(error.integers.count))
        for value in error.integers { reply.appendRaw(Int64(value)) }
        for string in error.strings { reply.appendField(Array(string.utf8)) }
    }

    private func typed<T: StoredObject>(_ id: UInt32, _ type: T.Type) throws -> T {
        let object = try state.object(id)
        guard let typed = object as? T else {
            throw RemoteError(.malformed, "object \(id) is a \(object.kind), which has no such operation")
        }
        return typed
    }

    // MARK: - Operations (called without the mutex; each takes it)

    private func perform(_ operation: Operation, id: UInt32, deadline: Deadline,
                         reader: inout FrameReader, reply: inout FrameWriter) throws {
        switch operation {
        case .create: try create(&reader, reply: &reply)
        case .ping, .shutdown: break

        case .dictGet, .dictGetOptional, .dictSet, .dictRemove, .dictContains, .dictCount, .dictKeys,
             .dictValues, .dictItems, .dictUpdate, .dictClear:
            try dictionary(operation, id: id, reader: &reader, reply: &reply)

        case .listAppend, .listExtend, .listGet, .listSet, .listRemoveAt, .listCount, .listItems,
             .listInsert, .listClear:
            try list(operation, id: id, reader: &reader, reply: &reply)

        case .valueGet:
            let bytes = try state.locked { try typed(id, StoredValue.self).bytes }
            reply.appendField(bytes)
        case .valueSet:
            let bytes = try reader.fieldBytes()
            try state.locked { try typed(id, StoredValue.self).bytes = bytes }

        case .acquire, .release, .semaphoreValue, .conditionWait, .conditionNotify, .conditionNotifyAll:
            try synchronization(operation, id: id, deadline: deadline, reader: &reader, reply: &reply)

        case .eventSet, .eventClear, .eventIsSet, .eventWait:
            let result: Bool = try state.locked {
                let event = try typed(id, StoredEvent.self)
                switch operation {
                case .eventSet: event.isSet = true; state.broadcast()
                case .eventClear: event.isSet = false
                case .eventWait: return state.wait(until: deadline) { event.isSet }
                default: break
                }
                return event.isSet
            }
            reply.appendField([result ? 1 : 0])

        case .barrierWait, .barrierReset, .barrierAbort, .barrierState:
            try barrier(operation, id: id, deadline: deadline, reply: &reply)

        case .queuePut, .queueGet, .queueSize, .queueTaskDone, .queueJoin:
            try queue(operation, id: id, deadline: deadline, reader: &reader, reply: &reply)

        case .callMethod:
            let method = String(decoding: try reader.field(), as: UTF8.self)
            let argument = reader.isAtEnd ? nil : try reader.field()
            let object = try state.locked { try typed(id, StoredRegistered.self) }
            reply.appendField(try object.call(method, argument: argument))
        }
    }

    private func create(_ reader: inout FrameReader, reply: inout FrameWriter) throws {
        let kindField = try reader.field()
        guard kindField.count == 1, let kind = ObjectKind(rawValue: kindField.first!) else {
            throw RemoteError(.malformed, "unknown object kind")
        }
        let nameBytes = try reader.field()
        let name = nameBytes.isEmpty ? nil : String(decoding: nameBytes, as: UTF8.self)
        let make: () throws -> StoredObject
        switch kind {
        case .registered:
            let typeID = String(decoding: try reader.field(), as: UTF8.self)
            let argument = reader.isAtEnd ? nil : try reader.field()
            guard let type = state.registry.types[typeID] else {
                throw RemoteError(.unknownType, typeID, strings: state.registry.typeIDs)
            }
            make = {
                do {
                    let instance = try type.make(argument)
                    return StoredRegistered(type: type, object: instance, calls: state.callLock(for: instance))
                } catch let failure as RegisteredType.Failure {
                    throw RemoteError(.other, failure.description)
                } catch {
                    throw RemoteError(.methodFailed, String(describing: error), strings: [typeID, "make"])
                }
            }
        case .dict, .namespace: make = { StoredDict(kind: kind) }
        case .list: make = { StoredList(kind: kind) }
        case .value:
            let bytes = reader.isAtEnd ? [] : try reader.fieldBytes()
            make = { StoredValue(bytes: bytes) }
        case .lock, .rlock, .condition: make = { StoredLock(kind: kind) }
        case .event: make = { StoredEvent(kind: kind) }
        case .semaphore, .boundedSemaphore:
            let value = try reader.intField()
            guard value >= 0 else { throw RemoteError(.other, "a semaphore's initial value must be >= 0, not \(value)") }
            make = { StoredSemaphore(kind: kind, value: value) }
        case .barrier:
            let parties = try reader.intField()
            guard parties > 0 else { throw RemoteError(.other, "a barrier needs at least 1 party, not \(parties)") }
            make = { StoredBarrier(parties: parties) }
        case .queue, .joinableQueue:
            let maxSize = try reader.intField()
            make = { StoredQueue(kind: kind, maxSize: max(0, maxSize)) }
        }
        let id = try state.locked { try state.add(make, kind: kind, name: name) }
        reply.appendIntField(Int(id))
    }

    private func dictionary(_ operation: Operation, id: UInt32, reader: inout FrameReader, reply: inout FrameWriter) throws {
        switch operation {
        case .dictGet, .dictGetOptional, .dictRemove, .dictContains:
            let key = try reader.fieldBytes()
            let value: [UInt8]? = try state.locked {
                let dict = try typed(id, StoredDict.self)
                return operation == .dictRemove ? dict.remove(key) : dict.value(for: key)
            }
            switch operation {
            case .dictContains: reply.appendField([value == nil ? 0 : 1])
            case .dictGet:
                guard let value else { throw RemoteError(.keyNotFound, "no such key") }
                reply.appendField(value)
            default:
                if let value { reply.appendField(value) }
            }
        case .dictSet:
            let key = try reader.fieldBytes()
            let value = try reader.fieldBytes()
            try state.locked { try typed(id, StoredDict.self).set(value, for: key) }
        case .dictUpdate:
            var pairs: [([UInt8], [UInt8])] = []
            while !reader.isAtEnd { pairs.append((try reader.fieldBytes(), try reader.fieldBytes())) }
            try state.locked {
                let dict = try typed(id, StoredDict.self)
                for (key, value) in pairs { dict.set(value, for: key) }
            }
        case .dictClear:
            try state.locked { try typed(id, StoredDict.self).removeAll() }
        case .dictCount:
            reply.appendIntField(try state.locked { try typed(id, StoredDict.self).count })
        case .dictKeys, .dictValues, .dictItems:
            try state.locked {
                try typed(id, StoredDict.self).forEach { key, value in
                    if operation != .dictValues { reply.appendField(key) }
                    if operation != .dictKeys { reply.appendField(value) }
                }
            }
        default: break
        }
    }

    private func list(_ operation: Operation, id: UInt32, reader: inout FrameReader, reply: inout FrameWriter) throws {
        func checked(_ index: Int, _ count: Int, allowEnd: Bool = false) throws -> Int {
            let resolved = index < 0 ? index + count : index
            guard resolved >= 0, resolved < count || (allowEnd && resolved == count) else {
                throw RemoteError(.indexOutOfRange, "list index out of range", integers: [index, count])
            }
            return resolved
        }
        switch operation {
        case .listAppend, .listExtend:
            var items: [[UInt8]] = []
            while !reader.isAtEnd { items.append(try reader.fieldBytes()) }
            try state.locked { try typed(id, StoredList.self).items.append(contentsOf: items) }
        case .listInsert:
            let index = try reader.intField()
            let item = try reader.fieldBytes()
            try state.locked {
                let list = try typed(id, StoredList.self)
                let count = list.items.count
                let position = index < 0 ? max(0, index + count) : min(index, count)
                list.items.insert(item, at: position)
            }
        case .listGet, .listRemoveAt:
            let index = try reader.intField()
            let item = try state.locked {
                let list = try typed(id, StoredList.self)
                let position = try checked(index, list.items.count)
                return operation == .listRemoveAt ? list.items.remove(at: position) : list.items[position]
            }
            reply.appendField(item)
        case .listSet:
            let index = try reader.intField()
            let item = try reader.fieldBytes()
            try state.locked {
                let list = try typed(id, StoredList.self)
                list.items[try checked(index, list.items.count)] = item
            }
        case .listCount:
            reply.appendIntField(try state.locked { try typed(id, StoredList.self).items.count })
        case .listItems:
            try state.locked { for item in try typed(id, StoredList.self).items { reply.appendField(item) } }
        case .listClear:
            try state.locked { try typed(id, StoredList.self).items.removeAll() }
        default: break
        }
    }

    private func synchronization(_ operation: Operation, id: UInt32, deadline: Deadline,
                                 reader: inout FrameReader, reply: inout FrameWriter) throws {
        let connection = self.connection
        let result: Int = try state.locked {
            let object = try state.object(id)
            if let semaphore = object as? StoredSemaphore {
                switch operation {
                case .acquire:
                    guard state.wait(until: deadline, { semaphore.value > 0 }) else { return 0 }
                    semaphore.value -= 1
                    return 1
                case .release:
                    if semaphore.kind == .boundedSemaphore, semaphore.value >= semaphore.initial {
                        throw RemoteError(.overReleased, "semaphore released too many times")
                    }
                    semaphore.value += 1
                    state.broadcast()
                    return 1
                case .semaphoreValue:
                    return semaphore.value
                default: break
                }
            }
            guard let lock = object as? StoredLock else {
                throw RemoteError(.malformed, "object \(id) is a \(object.kind), which has no such operation")
            }
            switch operation {
            case .acquire:
                if lock.recursive, lock.owner == connection {
                    lock.depth += 1
                    return 1
                }
                guard state.wait(until: deadline, { lock.owner == nil }) else { return 0 }
                lock.owner = connection
                lock.depth = 1
                return 1
            case .release:
                guard let owner = lock.owner, !lock.recursive || owner == connection else {
                    throw RemoteError(.notOwner, lock.kind.description)
                }
                lock.depth -= 1
                if lock.depth == 0 || !lock.recursive {
                    lock.owner = nil
                    lock.depth = 0
                    state.broadcast()
                }
                return 1
            case .conditionWait:
                guard lock.owner == connection else { throw RemoteError(.notOwner, lock.kind.description) }
                let depth = lock.depth
                let ticket = lock.nextTicket
                lock.nextTicket += 1
                lock.waiters.append(ticket)
                lock.owner = nil
                lock.depth = 0
                state.broadcast()
                let notified = state.wait(until: deadline) { lock.notified.contains(ticket) }
                lock.notified.remove(ticket)
                lock.waiters.removeAll { $0 == ticket }
                _ = state.wait(until: .forever) { lock.owner == nil }
                lock.owner = connection
                lock.depth = depth
                return notified ? 1 : 0
            case .conditionNotify, .conditionNotifyAll:
                guard lock.owner == connection else { throw RemoteError(.notOwner, lock.kind.description) }
                let pending = lock.waiters.filter { !lock.notified.contains($0) }
                let count = operation == .conditionNotifyAll ? pending.count : min(pending.count, max(0, try reader.intField()))
                for ticket in pending.prefix(count) { lock.notified.insert(ticket) }
                if count > 0 { state.broadcast() }
                return count
            default:
                return 0
            }
        }
        reply.appendIntField(result)
    }

    private func barrier(_ operation: Operation, id: UInt32, deadline: Deadline, reply: inout FrameWriter) throws {
        try state.locked {
            let barrier = try typed(id, StoredBarrier.self)
            let broken = RemoteError(.brokenBarrier, "barrier broken")
            switch operation {
            case .barrierWait:
                if barrier.broken { throw broken }
                let index = barrier.waiting
                let generation = barrier.generation
                barrier.waiting += 1
                if barrier.waiting == barrier.parties {
                    barrier.waiting = 0
                    barrier.generation += 1
                    state.broadcast()
                    reply.appendIntField(index)
                    return
                }
                let passed = state.wait(until: deadline) { barrier.generation != generation || barrier.broken }
                if !passed {
                    // A timeout breaks the barrier for everyone, as in Python.
                    barrier.broken = true
                    barrier.waiting = 0
                    state.broadcast()
                    throw broken
                }
                if barrier.broken || barrier.resetGenerations.contains(generation) { throw broken }
                reply.appendIntField(index)
            case .barrierReset:
                if barrier.waiting > 0 {
                    barrier.resetGenerations.insert(barrier.generation)
                    barrier.generation += 1
                }
                barrier.waiting = 0
                barrier.broken = false
                state.broadcast()
            case .barrierAbort:
                barrier.broken = true
                barrier.waiting = 0
                state.broadcast()
            default:
                reply.appendIntField(barrier.parties)
                reply.appendIntField(barrier.waiting)
                reply.appendIntField(barrier.broken ? 1 : 0)
            }
        }
    }

    private func queue(_ operation: Operation, id: UInt32, deadline: Deadline,
                       reader: inout FrameReader, reply: inout FrameWriter) throws {
        let item = operation == .queuePut ? try reader.fieldBytes() : []
        try state.locked {
            let queue = try typed(id, StoredQueue.self)
            switch operation {
            case .queuePut:
                guard state.wait(until: deadline, { !queue.isFull }) else { throw RemoteError(.queueFull, "queue full") }
                queue.append(item)
                state.broadcast()
            case .queueGet:
                guard state.wait(until: deadline, { queue.count > 0 }) else { throw RemoteError(.queueEmpty, "queue empty") }
                reply.appendField(queue.popFirst())
                if queue.maxSize > 0 { state.broadcast() }
            case .queueSize:
                reply.appendIntField(queue.count)
                reply.appendIntField(queue.maxSize)
            case .queueTaskDone:
                guard queue.unfinished > 0 else { throw RemoteError(.taskDoneTooManyTimes, "task_done() called too many times") }
                queue.unfinished -= 1
                if queue.unfinished == 0 { state.broadcast() }
            default:
                reply.appendField([state.wait(until: deadline) { queue.unfinished == 0 } ? 1 : 0])
            }
        }
    }
}
