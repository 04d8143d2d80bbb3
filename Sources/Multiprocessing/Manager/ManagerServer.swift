import Glibc

/// A manager's server: holds the shared objects, accepts and authenticates connections on one
/// thread, and serves each authenticated one on a thread of its own, so a client blocked in a
/// lock or a queue blocks nobody else. Every bound it keeps is in ``ManagerLimits``.
///
/// A ``Manager`` runs one in a process of its own. ``Manager/server(address:authKey:limits:registry:)``
/// makes one to run in the calling process with ``serveForever()`` (Python's
/// `get_server().serve_forever()`).
public final class ManagerServer: @unchecked Sendable {
    /// How long a connection's thread polls for the next request before sleeping in `recv`.
    static let spinNanoseconds: Int64 = 50_000
    /// How long a connection told that its message is too large may still send before it is closed.
    static let refusalLingerSeconds = 1.0

    let listener: Int32
    /// Where the server listens (with the real port when the TCP port asked for was 0).
    public let address: ManagerAddress
    let authKey: [UInt8]
    let limits: ManagerLimits
    /// The Unix socket's private directory, removed when the server ends.
    let socketDirectory: String?
    let state: ServerState
    /// Whether this server runs in a process a ``Manager`` forked for it (which then ends with
    /// `_exit`), rather than in a process of the caller's (``serveForever()``, which ends it with `exit`).
    private var isManagersChild = false

    init(listener: Int32, address: ManagerAddress, authKey: [UInt8], limits: ManagerLimits,
         registry: ManagerRegistry, socketDirectory: String?) {
        self.listener = listener
        self.address = address
        self.authKey = authKey
        self.limits = limits
        self.socketDirectory = socketDirectory
        state = ServerState(registry: registry)
    }

    /// Opens the listening socket for `address` (port 0 becomes a free port). Returns the
    /// socket and the address clients should use.
    static func listen(on address: ManagerAddress) throws -> (Int32, ManagerAddress) {
        let fd = try system_socket(family: address.family)
        do {
            if case .tcp = address {
                try system_setSocketOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            }
            try system_bind(fd, address.socketAddress())
            // Room for bursts of connections while the accepting thread is busy: a full
            // queue drops them silently, and their clients wait for a TCP retransmission.
            try system_listen(fd, backlog: 1024)
            if case .tcp(let host, _) = address {
                return (fd, .tcp(host: host, port: try system_boundPort(fd)))
            }
            return (fd, address)
        } catch {
            system_close(fd)
            throw error
        }
    }

    /// Serves in this process until a client asks it to shut down (``Manager/shutdown()`` on a
    /// manager from ``Manager/connect(address:authKey:)``), then ends the process with status 0,
    /// as Python's `Server.serve_forever()`.
    public func serveForever() -> Never {
        serveConnections(ownerDescriptor: nil)
    }

    /// The server process of a ``Manager``: serves until a client asks for shutdown or
    /// `ownerPid` ends; never returns. Writes one byte to `readyDescriptor` (and closes it)
    /// once it is set up, so the owner's `Manager()` returns only when the server will clean
    /// up after itself.
    func serve(ownerPid: Int32?, readyDescriptor: Int32? = nil) -> Never {
        isManagersChild = true
        // Ctrl-C in a terminal goes to the whole process group; the owner decides when the
        // server stops (Python's manager process ignores SIGINT too).
        system_ignoreInterrupts()
        system_setProcessName("mp-manager")
        // On SIGTERM (the owner's `terminate()` at exit, or the owner's death), remove the
        // socket files before exiting.
        system_removeOnTermination(file: address.unixPath, directory: socketDirectory)
        // The owner dying sends SIGTERM (not the daemon's SIGKILL), so the socket files go too.
        try? system_setParentDeathSignal(SIGTERM)
        if let ownerPid, system_getppid() != ownerPid { finish() }
        let ownerDescriptor = ownerPid.flatMap { try? system_pidfdOpen($0) }
        if let readyDescriptor {
            var byte: UInt8 = 1
            _ = try? system_write(readyDescriptor, &byte, 1)
            system_close(readyDescriptor)
        }
        serveConnections(ownerDescriptor: ownerDescriptor)
    }

    /// Accepts and serves connections until `ownerDescriptor` (a pidfd) is readable, then ends.
    private func serveConnections(ownerDescriptor: Int32?) -> Never {
        try? system_setNonBlocking(listener, true)
        var gate = AuthenticationGate(key: authKey, limits: limits, state: state) { [self] fd, connection in
            startConnectionThread(fd, connection: connection)
        }
        gate.run(listener: listener, ownerDescriptor: ownerDescriptor)
        finish()  // the owner is gone
    }

    /// Removes the socket file and its directory, and ends the server process.
    func finish() -> Never {
        removeSocketFiles()
        if !isManagersChild { system_exitProcess(0) }
        system_exit(0)
    }

    func removeSocketFiles() {
        if let path = address.unixPath { system_unlink(path) }
        if let socketDirectory { system_removeDirectory(socketDirectory) }
    }

    /// Serves authenticated connection `connection` on a thread of its own.
    private func startConnectionThread(_ fd: Int32, connection: Int) {
        do {
            system_detachThread(try system_startThread { [self] in serveConnection(fd, connection: connection) })
        } catch {
            system_close(fd)
            state.closeConnection(connection)
        }
    }

    /// One authenticated connection: answers requests until it closes.
    private func serveConnection(_ fd: Int32, connection: Int) {
        if case .tcp = address {
            try? system_setSocketOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        }
        let socket = FramedSocket(fd: fd, frameLimit: limits.maximumMessageBytes)
        defer {
            socket.close()
            state.closeConnection(connection)
        }
        let handler = RequestHandler(state: state, connection: connection)
        while true {
            let body: [UInt8]
            do {
                guard let next = try socket.receiveFrame(spinNanoseconds: Self.spinNanoseconds) else { return }
                body = next
            } catch let error as ManagerError {
                // A frame over the limit or cut short: answer, then end this connection (its
                // stream cannot be resynchronised). Other clients are not affected.
                var remote = RemoteError(.malformed, error.description)
                if case .messageTooLarge(let bytes, let limit) = error { remote = .messageTooLarge(bytes: bytes, limit: limit) }
                RequestHandler.writeError(remote, into: &socket.writer)
                try? socket.sendWriter()
                socket.discardUntilClosed(deadline: Deadline(timeout: Self.refusalLingerSeconds))
                return
            } catch {
                return
            }
            let outcome = handler.handle(body, reply: &socket.writer)
            let replyBytes = socket.writer.bytes.count - 4
            if replyBytes > limits.maximumMessageBytes {
                RequestHandler.writeError(.messageTooLarge(bytes: replyBytes, limit: limits.maximumMessageBytes),
                                          into: &socket.writer)
            }
            do { try socket.sendWriter() } catch { return }
            if outcome == .shutDownServer { finish() }
        }
    }
}
