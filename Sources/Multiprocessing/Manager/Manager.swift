import Glibc

/// Shared objects held by a server process, used from any process through proxies, like
/// Python's `multiprocessing.Manager()` (a `SyncManager`).
///
/// `Manager()` forks a server process that holds the objects. Each factory (``dict(_:_:name:)``,
/// `list`, ``lock(name:)``, ``queue(_:maxSize:name:)``, ...) creates an object there and
/// returns a proxy that forwards every operation to it over a socket. Proxies work in this
/// process and in every child or grandchild, forked before or after the proxy was made: each
/// process and thread opens its own authenticated connection on first use.
///
/// ```swift
/// try withManager { manager in
///     let scores = try manager.dict(Int.self, Int.self)
///     let lock = try manager.lock()
///     let p = Process { try lock.withLock { try scores.set(1, to: 10) } }
///     try p.start()
///     try p.join()
///     print(try scores.copy())  // [1: 10]
/// }
/// ```
///
/// The server stops at ``shutdown()`` (or at the end of ``withManager(authKey:limits:registry:_:)``), and never
/// outlives its owner: it gets `SIGKILL` when the owner dies and also exits when it sees the
/// owner gone. It listens on a Unix domain socket in a private directory (mode 0700) that is
/// removed with it; with ``init(address:authKey:limits:registry:)`` it listens on a TCP address instead, and
/// unrelated processes reach it with ``connect(address:authKey:)``.
///
/// The server authenticates every connection before reading anything else from it, and
/// keeps bounds on message size, connections and authentication time (``ManagerLimits``), so
/// no client can make it allocate without limit or hold threads for ever.
///
/// Shared objects live until the server stops; a `Manager` that is never shut down keeps its
/// server until this process exits, which then stops it. Values cross as `Codable` values; the
/// server stores their encoded bytes, so a dictionary key is found by its encoding.
///
/// Proxies are `Codable`: one can be stored in another (Python's `d['shared'] = m.list()`) or
/// sent to another process, and used there. It encodes as its server's address and its
/// object's id, never the key: the decoding process needs a manager for that address, the one
/// it was forked with or one from ``connect(address:authKey:)``. A process that was not forked
/// from one that holds a proxy can also find objects with the factories' `name:` argument.
///
/// The server is a daemon child: like every daemon ``Process``, it is signalled when the
/// *thread* that started it ends, so create a manager on a thread that lives as long as it.
public final class Manager: @unchecked Sendable {
    /// Where the server listens (with the real port when the TCP port asked for was 0).
    public let address: ManagerAddress
    /// The key both sides prove they know (HMAC-SHA256 challenge) on every connection.
    public let authKey: [UInt8]
    let client: ManagerClient
    /// The server process, when this process started it.
    private let server: Process?
    /// The server as set up here; it knows which socket files to remove at shutdown.
    private let serverSetup: ManagerServer?
    private let monitor = Monitor()
    private var isShutDown = false

    // MARK: - Starting

    /// Starts a manager's server process listening on a private Unix domain socket.
    ///
    /// - Parameters:
    ///   - authKey: The authentication key; by default 32 random bytes. Processes forked from
    ///     this one know it already.
    ///   - limits: The server's bounds on message size, connections and authentication time.
    ///   - registry: Types of your own the server can hold (Python's `register`); see
    ///     ``object(_:name:)``.
    /// - Throws: a ``SystemError`` when the socket or the process cannot be created,
    ///   ``ManagerError/invalidLimits(reason:)`` for limits that cannot work.
    public convenience init(authKey: [UInt8]? = nil, limits: ManagerLimits = ManagerLimits(),
                            registry: ManagerRegistry = ManagerRegistry()) throws {
        try limits.validate()
        let directory = try system_makeTemporaryDirectory(prefix: "mp-manager-")
        do {
            try self.init(address: .unix(path: directory + "/socket"), authKey: authKey ?? system_randomBytes(32),
                          limits: limits, registry: registry, socketDirectory: directory)
        } catch {
            system_removeDirectory(directory)
            throw error
        }
    }

    /// Starts a manager's server process listening on `address`, like Python's
    /// `BaseManager(address=..., authkey=...).start()`. Other processes reach it with
    /// ``connect(address:authKey:)``; `.tcp(host: "127.0.0.1", port: 0)` picks a free port
    /// (read it back from ``address``).
    ///
    /// - Throws: a ``SystemError`` when the address cannot be bound (e.g. `EADDRINUSE`),
    ///   ``ManagerError/invalidLimits(reason:)`` for limits that cannot work.
    public convenience init(address: ManagerAddress, authKey: [UInt8], limits: ManagerLimits = ManagerLimits(),
                            registry: ManagerRegistry = ManagerRegistry()) throws {
        try limits.validate()
        try self.init(address: address, authKey: authKey, limits: limits, registry: registry, socketDirectory: nil)
    }

    private init(address: ManagerAddress, authKey: [UInt8], limits: ManagerLimits, registry: ManagerRegistry,
                 socketDirectory: String?) throws {
        let (listener, boundAddress) = try ManagerServer.listen(on: address)
        let serverState = ManagerServer(listener: listener, address: boundAddress, authKey: authKey,
                                        limits: limits, registry: registry, socketDirectory: socketDirectory)
        let client = ManagerClient(address: boundAddress, authKey: authKey)
        let ownerPid = system_getpid()
        let ready: (read: Int32, write: Int32)
        do { ready = try system_pipe() } catch {
            system_close(listener)
            serverState.removeSocketFiles()
            throw error
        }
        let process = Process(name: "SyncManager-\(client.clientID)", daemon: true) {
            system_close(ready.read)
            serverState.serve(ownerPid: ownerPid, readyDescriptor: ready.write)
        }
        do {
            try process.start()
        } catch {
            system_close(listener)
            system_close(ready.read)
            system_close(ready.write)
            serverState.removeSocketFiles()
            throw error
        }
        system_close(listener)  // the server process has its own copy
        system_close(ready.write)
        // Wait until the server is set up (one byte), or gone (end of file).
        var byte: UInt8 = 0
        let got = (try? system_read(ready.read, &byte, 1)) ?? 0
        system_close(ready.read)
        if got != 1 {
            try? process.kill()
            try? process.join()
            serverState.removeSocketFiles()
            throw ManagerError.serverGone(address: boundAddress.description, reason: "the server process ended while starting")
        }
        self.address = boundAddress
        self.authKey = authKey
        self.server = process
        self.serverSetup = serverState
        self.client = client
    }

    private init(connectingTo address: ManagerAddress, authKey: [UInt8]) {
        self.address = address
        self.authKey = authKey
        self.server = nil
        self.serverSetup = nil
        self.client = ManagerClient(address: address, authKey: authKey)
    }

    /// A manager's server to run in this process, listening on `address` from now on:
    /// Python's `BaseManager(address=..., authkey=...).get_server()`. Its
    /// ``ManagerServer/serveForever()`` serves until a client calls ``shutdown()``, then ends
    /// this process. Clients reach it with ``connect(address:authKey:)`` and share objects by
    /// name.
    ///
    /// - Throws: a ``SystemError`` when the address cannot be bound,
    ///   ``ManagerError/invalidLimits(reason:)`` for limits that cannot work.
    public static func server(address: ManagerAddress, authKey: [UInt8], limits: ManagerLimits = ManagerLimits(),
                              registry: ManagerRegistry = ManagerRegistry()) throws -> ManagerServer {
        try limits.validate()
        let (listener, boundAddress) = try ManagerServer.listen(on: address)
        return ManagerServer(listener: listener, address: boundAddress, authKey: authKey, limits: limits,
                             registry: registry, socketDirectory: nil)
    }

    /// Connects to a manager's server started elsewhere (Python's `BaseManager.connect()`).
    /// Get its named objects with the factories' `name:` argument.
    ///
    /// - Throws: ``ManagerError/authenticationFailed(address:)`` for a wrong key,
    ///   ``ManagerError/serverGone(address:reason:)`` when nothing listens there.
    public static func connect(address: ManagerAddress, authKey: [UInt8]) throws -> Manager {
        let manager = Manager(connectingTo: address, authKey: authKey)
        _ = try manager.client.call(.ping, object: 0)
        return manager
    }

    // MARK: - Stopping

    /// The server process's id, when this process started it.
    public var serverPid: Int32? { server?.pid }

    /// Stops the server process and waits for it; removes the socket and its directory.
    /// Proxies used afterwards throw ``ManagerError/managerShutDown(address:)`` here (and
    /// ``ManagerError/serverGone(address:reason:)`` in other processes). A second call does
    /// nothing. On a manager from ``connect(address:authKey:)`` it asks the remote server to
    /// stop.
    public func shutdown() throws {
        let first = monitor.withLock {
            defer { isShutDown = true }
            return !isShutDown
        }
        guard first else { return }
        var stopped = (try? client.call(.shutdown, object: 0)) != nil
        client.markShutDown()
        if let server {
            if stopped {
                try server.join(timeout: 2)
                stopped = !server.isAlive
            }
            if !stopped { try server.kill() }
            try server.join()
            try server.close()
            serverSetup?.removeSocketFiles()
        }
    }

    // MARK: - Factories

    /// Makes an object on the server, or finds the one already registered under `name`.
    /// `argument` appends the kind's one argument field, if it has one.
    func create(_ kind: ObjectKind, name: String?,
                argument: (inout FrameWriter) throws -> Void = { _ in }) throws -> UInt32 {
        var reader = try client.call(.create, object: 0) { writer in
            writer.appendField([kind.rawValue])
            writer.appendField(Array((name ?? "").utf8))
            try argument(&writer)
        }
        return UInt32(try reader.intField())
    }

    /// A shared dictionary (Python's `manager.dict()`).
    ///
    /// - Parameters:
    ///   - keyType: The key type, when the call does not show it.
    ///   - valueType: The value type, when the call does not show it.
    ///   - name: Registers the dictionary under this name, or returns the proxy of the one
    ///     already registered: how a client from ``connect(address:authKey:)`` finds it.
    public func dict<Key: Codable & Hashable, Value: Codable>(
        _ keyType: Key.Type = Key.self, _ valueType: Value.Type = Value.self, name: String? = nil
    ) throws -> DictProxy<Key, Value> {
        DictProxy(client: client, id: try create(.dict, name: name))
    }

    /// A shared dictionary filled with `contents` (Python's `manager.dict(mapping)`).
    public func dict<Key: Codable & Hashable, Value: Codable>(_ contents: [Key: Value], name: String? = nil) throws -> DictProxy<Key, Value> {
        let proxy: DictProxy<Key, Value> = try dict(name: name)
        try proxy.update(contents)
        return proxy
    }

    /// A shared list (Python's `manager.list()`).
    public func list<Element: Codable>(_ elementType: Element.Type = Element.self, name: String? = nil) throws -> ListProxy<Element> {
        ListProxy(client: client, id: try create(.list, name: name))
    }

    /// A shared list holding `contents` (Python's `manager.list(sequence)`).
    public func list<Element: Codable>(_ contents: [Element], name: String? = nil) throws -> ListProxy<Element> {
        let proxy: ListProxy<Element> = try list(name: name)
        try proxy.extend(contents)
        return proxy
    }

    /// A shared value (Python's `manager.Value(typecode, value)`), initially `value`.
    public func value<T: Codable>(_ value: T, name: String? = nil) throws -> ValueProxy<T> {
        ValueProxy(client: client, id: try create(.value, name: name) { try $0.appendEncodedField(value) })
    }

    /// A shared namespace (Python's `manager.Namespace()`): attributes set from any process.
    public func namespace(name: String? = nil) throws -> Namespace {
        Namespace(client: client, id: try create(.namespace, name: name))
    }

    /// A lock any client may release (Python's `manager.Lock()`).
    public func lock(name: String? = nil) throws -> LockProxy {
        LockProxy(client: client, id: try create(.lock, name: name), kind: .lock)
    }

    /// A re-entrant lock owned by the thread that acquired it (Python's `manager.RLock()`).
    public func rlock(name: String? = nil) throws -> LockProxy {
        LockProxy(client: client, id: try create(.rlock, name: name), kind: .rlock)
    }

    /// A semaphore starting at `value` (Python's `manager.Semaphore(value)`).
    public func semaphore(_ value: Int = 1, name: String? = nil) throws -> SemaphoreProxy {
        SemaphoreProxy(client: client, id: try create(.semaphore, name: name) { $0.appendIntField(value) })
    }

    /// A semaphore that may not be released above its initial `value`
    /// (Python's `manager.BoundedSemaphore(value)`).
    public func boundedSemaphore(_ value: Int = 1, name: String? = nil) throws -> SemaphoreProxy {
        SemaphoreProxy(client: client, id: try create(.boundedSemaphore, name: name) { $0.appendIntField(value) })
    }

    /// An event flag (Python's `manager.Event()`).
    public func event(name: String? = nil) throws -> EventProxy {
        EventProxy(client: client, id: try create(.event, name: name))
    }

    /// A condition variable with its own re-entrant lock (Python's `manager.Condition()`).
    public func condition(name: String? = nil) throws -> ConditionProxy {
        ConditionProxy(client: client, id: try create(.condition, name: name))
    }

    /// A barrier for `parties` waiters (Python's `manager.Barrier(parties)`).
    public func barrier(parties: Int, name: String? = nil) throws -> BarrierProxy {
        BarrierProxy(client: client, id: try create(.barrier, name: name) { $0.appendIntField(parties) })
    }

    /// An object of the type registered as `typeID` (Python's `manager.TypeID()` after
    /// `register('TypeID', callable)`), made on the server by the registration's `make`.
    ///
    /// - Throws: ``ManagerError/unknownType(typeID:registered:)`` when the server's registry
    ///   has no such type, ``ManagerError/methodFailed(typeID:method:reason:)`` when `make` threw.
    public func object(_ typeID: String, name: String? = nil) throws -> ObjectProxy {
        ObjectProxy(client: client, id: try create(.registered, name: name) { $0.appendField(Array(typeID.utf8)) })
    }

    /// An object of the type registered as `typeID`, made from `argument`
    /// (Python's `manager.TypeID(argument)`).
    public func object<Argument: Encodable>(_ typeID: String, _ argument: Argument, name: String? = nil) throws -> ObjectProxy {
        ObjectProxy(client: client, id: try create(.registered, name: name) { writer in
            writer.appendField(Array(typeID.utf8))
            try writer.appendEncodedField(argument)
        })
    }

    /// A FIFO queue (Python's `manager.Queue(maxsize)`); `maxSize` 0 means unbounded.
    public func queue<Element: Codable>(_ elementType: Element.Type = Element.self, maxSize: Int = 0, name: String? = nil) throws -> QueueProxy<Element> {
        QueueProxy(client: client, id: try create(.queue, name: name) { $0.appendIntField(maxSize) })
    }

    /// A queue whose consumers confirm each item with `taskDone()` so producers can `join()`
    /// (Python's `manager.JoinableQueue(maxsize)`).
    public func joinableQueue<Element: Codable>(_ elementType: Element.Type = Element.self, maxSize: Int = 0, name: String? = nil) throws -> QueueProxy<Element> {
        QueueProxy(client: client, id: try create(.joinableQueue, name: name) { $0.appendIntField(maxSize) })
    }
}

/// Runs `body` with a new ``Manager`` and shuts it down afterwards, also when `body` throws:
/// Python's `with Manager() as manager:`.
///
/// - Returns: what `body` returns.
public func withManager<R>(authKey: [UInt8]? = nil, limits: ManagerLimits = ManagerLimits(),
                           registry: ManagerRegistry = ManagerRegistry(),
                           _ body: (Manager) throws -> R) throws -> R {
    let manager = try Manager(authKey: authKey, limits: limits, registry: registry)
    let result: R
    do {
        result = try body(manager)
    } catch {
        try? manager.shutdown()
        throw error
    }
    try manager.shutdown()
    return result
}
