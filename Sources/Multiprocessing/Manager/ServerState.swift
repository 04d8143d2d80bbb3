import Glibc

/// Everything a manager's server holds, under one mutex. Blocking operations wait on one
/// condition variable that every state change of a blocking object broadcasts; each waiter
/// re-checks its own condition (there are few waiters, and none for dictionary traffic).
final class ServerState: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var objects: [StoredObject?] = [nil]  // id 0 is the manager itself
    private var names: [String: UInt32] = [:]
    private var nextConnection = 0

    init() {
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// Runs `body` with the mutex held.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// Wakes every waiter to re-check its condition. Call with the mutex held.
    func broadcast() {
        pthread_cond_broadcast(&changed)
    }

    /// Waits (mutex held) until `condition` holds or `deadline` passes; returns whether it holds.
    func wait(until deadline: Deadline, _ condition: () -> Bool) -> Bool {
        while !condition() {
            guard let end = deadline.nanoseconds else {
                pthread_cond_wait(&changed, &mutex)
                continue
            }
            if monotonicNanoseconds() >= end { return condition() }
            var time = timespec(tv_sec: Int(end / 1_000_000_000), tv_nsec: Int(end % 1_000_000_000))
            pthread_cond_timedwait(&changed, &mutex, &time)
        }
        return true
    }

    /// A number for a new connection (lock ownership is per connection).
    func newConnectionID() -> Int {
        locked { nextConnection += 1; return nextConnection }
    }

    // MARK: Objects (mutex held)

    func object(_ id: UInt32) throws -> StoredObject {
        guard id > 0, Int(id) < objects.count, let object = objects[Int(id)] else {
            throw RemoteError(.other, "no shared object with id \(id) on this server")
        }
        return object
    }

    /// Adds an object, or returns the one already registered under `name`.
    func add(_ make: () -> StoredObject, kind: ObjectKind, name: String?) throws -> UInt32 {
        if let name, let id = names[name] {
            let existing = try object(id)
            guard existing.kind == kind else {
                throw RemoteError(.wrongKind, name, strings: [kind.description, existing.kind.description])
            }
            return id
        }
        let id = UInt32(objects.count)
        objects.append(make())
        if let name { names[name] = id }
        return id
    }

    /// Releases every lock and condition a closed connection still held, so a client that died
    /// holding one does not block the others forever.
    func releaseLocks(heldBy connection: Int) {
        locked {
            var released = false
            for case let lock as StoredLock in objects where lock.owner == connection {
                lock.owner = nil
                lock.depth = 0
                released = true
            }
            if released { broadcast() }
        }
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
}
