import Glibc

/// The client side of one manager, shared by all its proxies. Each process and each thread
/// gets its own connection to the server, made on first use: a connection inherited through
/// `fork` is never used by the child, and a blocking call on one thread never delays another.
final class ManagerClient: @unchecked Sendable {
    /// How long a caller polls for the reply before sleeping in `recv`.
    static let spinNanoseconds: Int64 = 50_000

    let address: ManagerAddress
    let authKey: [UInt8]
    /// Distinguishes this client's connections in each thread's table.
    let clientID: Int
    private let monitor = Monitor()
    /// The process in which ``markShutDown()`` was called (0: none). Children forked before
    /// the shutdown find out from the server being gone.
    private var shutDownPid: pid_t = 0

    nonisolated(unsafe) private static var counter = 0
    private static let counterMonitor = Monitor()

    init(address: ManagerAddress, authKey: [UInt8]) {
        self.address = address
        self.authKey = authKey
        clientID = Self.counterMonitor.withLock {
            Self.counter += 1
            return Self.counter
        }
        Self.counterMonitor.withLock { Self.byAddress[address] = WeakClient(self) }
    }

    // MARK: - Clients by address

    private final class WeakClient {
        weak var client: ManagerClient?
        init(_ client: ManagerClient) { self.client = client }
    }

    /// The newest client made in this process (or a parent it was forked from) for each address:
    /// how a proxy decoded from bytes finds its server and key.
    nonisolated(unsafe) private static var byAddress: [ManagerAddress: WeakClient] = [:]

    /// The client for `address` that is still in use in this process, if any.
    static func known(at address: ManagerAddress) -> ManagerClient? {
        counterMonitor.withLock { byAddress[address]?.client }
    }

    // MARK: - Calls

    /// Sends one request and returns a reader positioned at the reply's fields.
    ///
    /// - Parameters:
    ///   - timeout: for blocking operations: nil waits forever, 0 does not block.
    ///   - fields: appends the request's fields.
    /// - Throws: ``ManagerError`` for errors the server reports, a server that is gone, or a
    ///   value that cannot be encoded.
    func call(_ operation: Operation, object: UInt32, timeout: Double? = nil,
              fields: (inout FrameWriter) throws -> Void = { _ in }) throws -> FrameReader {
        let socket = try connection()
        let nanoseconds: Int64 = timeout.map { $0 <= 0 ? 0 : Int64(min($0, 1e9) * 1e9) } ?? -1
        socket.writer.beginRequest(operation, object: object, timeoutNanoseconds: nanoseconds)
        try fields(&socket.writer)
        let size = socket.writer.bytes.count - 4
        guard size <= socket.frameLimit else {
            throw ManagerError.messageTooLarge(bytes: size, limit: socket.frameLimit)
        }
        let body: [UInt8]
        do {
            try socket.sendWriter()
            guard let reply = try socket.receiveFrame(spinNanoseconds: Self.spinNanoseconds) else {
                throw ManagerError.serverGone(address: address.description, reason: "end of file: the server closed the connection")
            }
            body = reply
        } catch {
            dropConnection()
            if locked({ shutDownPid == system_cachedPid() }) { throw ManagerError.managerShutDown(address: address.description) }
            if let error = error as? SystemError {
                throw ManagerError.serverGone(address: address.description, reason: error.reason)
            }
            throw error
        }
        var reader = FrameReader(body: body)
        guard let status = try? reader.raw(UInt8.self) else {
            throw ManagerError.malformedMessage(reason: "an empty reply from the server")
        }
        if status == 0 { return reader }
        throw try Self.error(from: &reader)
    }

    /// Turns an error reply into a ``ManagerError``.
    private static func error(from reader: inout FrameReader) throws -> ManagerError {
        let kindField = try reader.field()
        let message = String(decoding: try reader.field(), as: UTF8.self)
        let count = reader.isAtEnd ? 0 : Int(try reader.raw(UInt32.self))
        var integers: [Int] = []
        for _ in 0..<min(count, 16) { integers.append(Int(Int64(bitPattern: try reader.raw(UInt64.self)))) }
        var strings: [String] = []
        while !reader.isAtEnd { strings.append(String(decoding: try reader.field(), as: UTF8.self)) }
        guard let code = kindField.first, let kind = RemoteErrorKind(rawValue: code) else {
            return .server(message: message)
        }
        switch kind {
        case .keyNotFound: return .keyNotFound(key: message)
        case .indexOutOfRange where integers.count == 2: return .indexOutOfRange(index: integers[0], count: integers[1])
        case .malformed: return .malformedMessage(reason: message)
        case .queueEmpty: return .queueEmpty
        case .queueFull: return .queueFull
        case .notOwner: return .notOwner(object: message)
        case .overReleased: return .semaphoreOverReleased
        case .brokenBarrier: return .brokenBarrier
        case .taskDoneTooManyTimes: return .taskDoneTooManyTimes
        case .messageTooLarge where integers.count == 2: return .messageTooLarge(bytes: integers[0], limit: integers[1])
        case .unknownType: return .unknownType(typeID: message, registered: strings)
        case .unknownMethod where !strings.isEmpty:
            return .unknownMethod(typeID: strings[0], method: message, exposed: Array(strings.dropFirst()))
        case .methodFailed where strings.count == 2: return .methodFailed(typeID: strings[0], method: strings[1], reason: message)
        case .wrongKind where strings.count == 2: return .wrongKind(name: message, expected: strings[0], actual: strings[1])
        default: return .server(message: message)
        }
    }

    // MARK: - Connections

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try monitor.withLock(body)
    }

    /// This thread's connection, made (and authenticated) on first use in this process.
    private func connection() throws -> FramedSocket {
        let table = ThreadConnections.current()
        if let socket = table.sockets[clientID] { return socket }
        if locked({ shutDownPid == system_cachedPid() }) { throw ManagerError.managerShutDown(address: address.description) }
        let socket = try Self.connect(to: address, authKey: authKey)
        table.sockets[clientID] = socket
        return socket
    }

    /// Opens and authenticates a connection to the server at `address`.
    static func connect(to address: ManagerAddress, authKey: [UInt8]) throws -> FramedSocket {
        let fd = try system_socket(family: address.family)
        if let failure = openConnection(fd, to: address) {
            system_close(fd)
            let reason = failure.errno == ENOENT ? "no socket file" : failure.reason
            throw ManagerError.serverGone(address: address.description, reason: reason)
        }
        let socket = FramedSocket(fd: fd)
        do {
            socket.frameLimit = try Authentication.answer(socket, key: authKey, address: address.description)
        } catch let error as SystemError {
            socket.close()
            throw ManagerError.serverGone(address: address.description, reason: error.reason)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Connects `fd` to `address`; returns the failure, if any.
    private static func openConnection(_ fd: Int32, to address: ManagerAddress) -> SystemError? {
        do {
            try system_connect(fd, address.socketAddress())
            if case .tcp = address {
                try system_setSocketOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            }
            return nil
        } catch {
            return error
        }
    }

    /// Closes this thread's connection (after an error, or at shutdown).
    func dropConnection() {
        let table = ThreadConnections.current()
        guard let socket = table.sockets.removeValue(forKey: clientID) else { return }
        socket.close()
    }

    /// After shutdown: closes this thread's connection; later calls in this process throw
    /// ``ManagerError/managerShutDown(address:)``. Other threads' connections saw the server
    /// close them: they fail at their next use (and are closed then) or at thread exit.
    func markShutDown() {
        dropConnection()
        locked { shutDownPid = system_cachedPid() }
    }
}

/// The connections of one thread, keyed by client. A table inherited through `fork` (it
/// belongs to the parent's thread) is discarded on first use in the child.
final class ThreadConnections {
    let pid: pid_t
    var sockets: [Int: FramedSocket] = [:]

    init(pid: pid_t) { self.pid = pid }

    private static let slot = ThreadLocalSlot { pointer in
        guard let pointer else { return }
        let table = Unmanaged<ThreadConnections>.fromOpaque(pointer).takeRetainedValue()
        if table.pid == system_cachedPid() { for socket in table.sockets.values { socket.close() } }
    }

    /// The calling thread's table in this process.
    static func current() -> ThreadConnections {
        let pid = system_cachedPid()
        if let pointer = slot.value {
            let table = Unmanaged<ThreadConnections>.fromOpaque(pointer).takeUnretainedValue()
            if table.pid == pid { return table }
            // Inherited from the parent: close our copies of its descriptors, start afresh.
            for socket in table.sockets.values { socket.close() }
            Unmanaged<ThreadConnections>.fromOpaque(pointer).release()
        }
        let table = ThreadConnections(pid: pid)
        slot.value = Unmanaged.passRetained(table).toOpaque()
        return table
    }
}
