/// Everything a manager's server holds, under one mutex. Blocking operations wait on one
/// condition variable that every state change of a blocking object broadcasts; each waiter
/// re-checks its own condition (there are few waiters, and none for dictionary traffic).
final class ServerState: @unchecked Sendable {
    private let monitor = Monitor()
    private var objects: [StoredObject?] = [nil]  // id 0 is the manager itself
    private var names: [String: UInt32] = [:]
    private var nextConnection = 0
    private var openConnections = 0
    /// The types clients may make objects of, by name; fixed before the server starts.
    let registry: ManagerRegistry
    /// The lock of each instance of a registered type (stored objects are never freed, so an
    /// identifier is never reused).
    private var instanceLocks: [ObjectIdentifier: Monitor] = [:]

    init(registry: ManagerRegistry = ManagerRegistry()) {
        self.registry = registry
    }

    /// Runs `body` with the mutex held.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        try monitor.withLock(body)
    }

    /// Wakes every waiter to re-check its condition. Call with the mutex held.
    func broadcast() {
        monitor.broadcast()
    }

    /// Waits (mutex held) until `condition` holds or `deadline` passes; returns whether it holds.
    func wait(until deadline: Deadline, _ condition: () -> Bool) -> Bool {
        while !condition() {
            if !monitor.wait(until: deadline) { return condition() }
        }
        return true
    }

    // MARK: Connections

    /// A number for a new authenticated connection (lock ownership is per connection), or nil
    /// when `limit` connections are open already.
    func openConnection(limit: Int) -> Int? {
        locked {
            guard openConnections < limit else { return nil }
            openConnections += 1
            nextConnection += 1
            return nextConnection
        }
    }

    /// Ends `connection`: releases every lock and condition it still held, so a client that
    /// died holding one does not block the others forever, and frees its place.
    func closeConnection(_ connection: Int) {
        locked {
            openConnections -= 1
            var released = false
            for case let lock as StoredLock in objects where lock.owner == connection {
                lock.owner = nil
                lock.depth = 0
                released = true
            }
            if released { broadcast() }
        }
    }

    // MARK: Objects (mutex held)

    func object(_ id: UInt32) throws -> StoredObject {
        guard id > 0, Int(id) < objects.count, let object = objects[Int(id)] else {
            throw RemoteError(.other, "no shared object with id \(id) on this server")
        }
        return object
    }

    /// The lock that calls to `instance` run under. Call with the mutex held.
    func callLock(for instance: AnyObject) -> Monitor {
        if let lock = instanceLocks[ObjectIdentifier(instance)] { return lock }
        let lock = Monitor()
        instanceLocks[ObjectIdentifier(instance)] = lock
        return lock
    }

    /// Adds an object, or returns the one already registered under `name`.
    func add(_ make: () throws -> StoredObject, kind: ObjectKind, name: String?) throws -> UInt32 {
        if let name, let id = names[name] {
            let existing = try object(id)
            guard existing.kind == kind else {
                throw RemoteError(.wrongKind, name, strings: [kind.description, existing.kind.description])
            }
            return id
        }
        let id = UInt32(objects.count)
        objects.append(try make())
        if let name { names[name] = id }
        return id
    }
}

/// An error the server reports to the client in a reply.
struct RemoteError: Error {
    let kind: RemoteErrorKind
    let message: String
    var integers: [Int] = []
    var strings: [String] = []

    init(_ kind: RemoteErrorKind, _ message: String, integers: [Int] = [], strings: [String] = []) {
        self.kind = kind
        self.message = message
        self.integers = integers
        self.strings = strings
    }

    /// A message of `bytes` bytes over the server's `limit`.
    static func messageTooLarge(bytes: Int, limit: Int) -> RemoteError {
        RemoteError(.messageTooLarge, ManagerError.messageTooLarge(bytes: bytes, limit: limit).description,
                    integers: [bytes, limit])
    }
}
