// The objects a manager's server holds. Values are kept as the bytes the clients sent: the
// server never needs their types. Every object is guarded by the server's one mutex.

/// Something the server holds, addressed by id (and optionally by name).
class StoredObject {
    let kind: ObjectKind
    init(kind: ObjectKind) { self.kind = kind }
}

/// A dictionary of encoded keys to encoded values, in insertion order (as Python's `dict`).
final class StoredDict: StoredObject {
    private var index: [[UInt8]: Int] = [:]
    private var keys: [[UInt8]?] = []
    private var values: [[UInt8]] = []

    var count: Int { index.count }

    func value(for key: [UInt8]) -> [UInt8]? {
        guard let slot = index[key] else { return nil }
        return values[slot]
    }

    func set(_ value: [UInt8], for key: [UInt8]) {
        if let slot = index[key] {
            values[slot] = value
        } else {
            index[key] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    func remove(_ key: [UInt8]) -> [UInt8]? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        keys[slot] = nil
        let old = values[slot]
        values[slot] = []
        if keys.count > 32, index.count < keys.count / 2 { compact() }
        return old
    }

    func removeAll() {
        index = [:]
        keys = []
        values = []
    }

    /// Every entry, oldest first.
    func forEach(_ body: ([UInt8], [UInt8]) -> Void) {
        for slot in keys.indices { if let key = keys[slot] { body(key, values[slot]) } }
    }

    private func compact() {
        var newKeys: [[UInt8]?] = []
        var newValues: [[UInt8]] = []
        index.removeAll(keepingCapacity: true)
        for slot in keys.indices {
            guard let key = keys[slot] else { continue }
            index[key] = newKeys.count
            newKeys.append(key)
            newValues.append(values[slot])
        }
        keys = newKeys
        values = newValues
    }
}

/// A list of encoded items.
final class StoredList: StoredObject {
    var items: [[UInt8]] = []
}

/// One encoded value (Python's `manager.Value`).
final class StoredValue: StoredObject {
    var bytes: [UInt8]
    init(bytes: [UInt8]) {
        self.bytes = bytes
        super.init(kind: .value)
    }
}

/// A lock (any client may release it, as `threading.Lock`) or, when `recursive`, an RLock
/// owned by the connection that acquired it. A condition is an RLock with waiters.
final class StoredLock: StoredObject {
    /// The connection holding it, or nil when free.
    var owner: Int?
    var depth = 0
    /// Condition waiters in arrival order, and the ones notified.
    var waiters: [Int] = []
    var notified: Set<Int> = []
    var nextTicket = 0

    var recursive: Bool { kind != .lock }
}

final class StoredSemaphore: StoredObject {
    var value: Int
    let initial: Int
    init(kind: ObjectKind, value: Int) {
        self.value = value
        self.initial = value
        super.init(kind: kind)
    }
}

final class StoredEvent: StoredObject {
    var isSet = false
}

/// Python's `threading.Barrier`: `parties` waiters release each other; a reset or abort breaks
/// the current round.
final class StoredBarrier: StoredObject {
    let parties: Int
    var waiting = 0
    var generation = 0
    var broken = false
    /// Generations that ended by `reset()`: their waiters get a broken-barrier error.
    var resetGenerations: Set<Int> = []
    init(parties: Int) {
        self.parties = parties
        super.init(kind: .barrier)
    }
}

/// A FIFO of encoded items, bounded when `maxSize > 0`; joinable queues count unfinished tasks.
final class StoredQueue: StoredObject {
    let maxSize: Int
    private var items: [[UInt8]] = []
    private var head = 0
    var unfinished = 0

    init(kind: ObjectKind, maxSize: Int) {
        self.maxSize = maxSize
        super.init(kind: kind)
    }

    var count: Int { items.count - head }
    var isFull: Bool { maxSize > 0 && count >= maxSize }

    func append(_ item: [UInt8]) {
        items.append(item)
        if kind == .joinableQueue { unfinished += 1 }
    }

    func popFirst() -> [UInt8] {
        let item = items[head]
        items[head] = []
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}

/// An object of a type registered with ``ManagerRegistry``. Calls to it run one at a time under
/// the lock of its instance (shared when `make` returns one instance for several objects), not
/// the server's, so a slow method delays only its own instance.
final class StoredRegistered: StoredObject {
    let type: RegisteredType
    let object: AnyObject
    private let calls: Monitor

    init(type: RegisteredType, object: AnyObject, calls: Monitor) {
        self.type = type
        self.object = object
        self.calls = calls
        super.init(kind: .registered)
    }

    /// Runs the exposed method `name` with the encoded `argument`; returns the encoded result.
    func call(_ name: String, argument: ArraySlice<UInt8>?) throws -> [UInt8] {
        guard let method = type.methods[name] else {
            throw RemoteError(.unknownMethod, name, strings: [type.typeID] + type.methods.keys.sorted())
        }
        do {
            return try calls.withLock { try method(object, argument) }
        } catch let failure as RegisteredType.Failure {
            throw RemoteError(.other, "\(type.typeID).\(name): \(failure)")
        } catch {
            throw RemoteError(.methodFailed, String(describing: error), strings: [type.typeID, name])
        }
    }
}
