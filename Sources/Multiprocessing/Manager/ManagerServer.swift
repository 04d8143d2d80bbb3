import CMultiprocessing
import Glibc

/// The server side of a manager: runs in its own process, accepts connections, authenticates
/// each one and serves it on its own thread, so a client blocked in a lock or a queue blocks
/// nobody else.
final class ManagerServer: @unchecked Sendable {
    /// How long a connection's thread polls for the next request before sleeping in `recv`.
    static let spinNanoseconds: Int64 = 50_000

    let listener: Int32
    let address: ManagerAddress
    let authKey: [UInt8]
    /// The Unix socket's private directory, removed when the server ends.
    let socketDirectory: String?
    let state = ServerState()

    init(listener: Int32, address: ManagerAddress, authKey: [UInt8], socketDirectory: String?) {
        self.listener = listener
        self.address = address
        self.authKey = authKey
        self.socketDirectory = socketDirectory
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
            try system_listen(fd)
            if case .tcp(let host, _) = address {
                return (fd, .tcp(host: host, port: try system_boundPort(fd)))
            }
            return (fd, address)
        } catch {
            system_close(fd)
            throw error
        }
    }

    /// Serves until a client asks for shutdown or `ownerPid` ends; never returns. Writes one
    /// byte to `readyDescriptor` (and closes it) once it is set up, so the owner's `Manager()`
    /// returns only when the server will clean up after itself.
    func serveForever(ownerPid: Int32?, readyDescriptor: Int32? = nil) -> Never {
        // Ctrl-C in a terminal goes to the whole process group; the owner decides when the
        // server stops (Python's manager process ignores SIGINT too).
        signal(SIGINT, SIG_IGN)
        _ = cmp_set_process_name("mp-manager")
        installTerminationCleanup()
        // The owner dying sends SIGTERM (not the daemon's SIGKILL), so the socket files go too.
        try? system_setParentDeathSignal(SIGTERM)
        if let ownerPid, system_getppid() != ownerPid { finish() }
        if let readyDescriptor {
            var byte: UInt8 = 1
            _ = try? system_write(readyDescriptor, &byte, 1)
            system_close(readyDescriptor)
        }
        var watched = [listener]
        if let ownerPid, let pidfd = try? system_pidfdOpen(ownerPid) { watched.append(pidfd) }
        while true {
            guard let ready = try? system_poll(watched, events: Int16(POLLIN), deadline: .forever) else { continue }
            if ready.contains(1) { finish() }  // the owner is gone
            if ready.contains(0), let client = try? system_accept(listener) {
                startConnectionThread(client)
            }
        }
    }

    /// Removes the socket file and its directory, and ends the server process.
    func finish() -> Never {
        removeSocketFiles()
        system_exit(0)
    }

    func removeSocketFiles() {
        if case .unix(let path) = address { system_unlink(path) }
        if let socketDirectory { system_removeDirectory(socketDirectory) }
    }

    /// On SIGTERM (the owner's `terminate()` at exit, or the owner's death), remove the socket
    /// files before exiting. The handler only calls async-signal-safe functions.
    private func installTerminationCleanup() {
        if case .unix(let path) = address { ManagerServer.cleanupSocketPath = strdup(path) }
        if let socketDirectory { ManagerServer.cleanupDirectory = strdup(socketDirectory) }
        signal(SIGTERM) { _ in
            if let path = ManagerServer.cleanupSocketPath { unlink(path) }
            if let directory = ManagerServer.cleanupDirectory { rmdir(directory) }
            _exit(0)
        }
    }

    nonisolated(unsafe) static var cleanupSocketPath: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var cleanupDirectory: UnsafeMutablePointer<CChar>?

    private func startConnectionThread(_ fd: Int32) {
        final class Work {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        let work = Unmanaged.passRetained(Work { [self] in serveConnection(fd) }).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Work>.fromOpaque(work).release()
            system_close(fd)
        }
    }

    /// One client connection: authenticate, then answer requests until it closes.
    private func serveConnection(_ fd: Int32) {
        if case .tcp = address {
            try? system_setSocketOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        }
        let socket = FramedSocket(fd: fd)
        defer { socket.close() }
        guard (try? Authentication.serve(socket, key: authKey)) == true else { return }
        let handler = RequestHandler(state: state, connection: state.newConnectionID())
        defer { state.releaseLocks(heldBy: handler.connection) }
        while true {
            let body: [UInt8]
            do {
                guard let next = try socket.receiveFrame(spinNanoseconds: Self.spinNanoseconds) else { return }
                body = next
            } catch let error as ManagerError {
                // An impossible frame: answer, then drop this connection (its stream cannot be
                // resynchronised). Other clients are not affected.
                socket.writer.beginReply(ok: false)
                socket.writer.appendField([RemoteErrorKind.malformed.rawValue])
                socket.writer.appendField(Array(error.description.utf8))
                socket.writer.appendRaw(UInt32(0))
                try? socket.sendWriter()
                return
            } catch {
                return
            }
            let outcome = handler.handle(body, reply: &socket.writer)
            do { try socket.sendWriter() } catch { return }
            if outcome == .shutDownServer { finish() }
        }
    }
}
