import Glibc

/// The connections a manager's server has accepted but not yet authenticated, all served by
/// the accepting thread with `poll`: no thread and no more than a few bytes per connection.
///
/// For each connection the gate sends the challenge, reads the 4-byte length of the answer
/// (anything but the answer's size, such as the 1 GiB a hostile peer announces, ends it
/// there), then the answer itself, into a buffer of 68 bytes. A connection that has not
/// answered by ``ManagerLimits/authenticationTimeout`` is closed; when
/// `ManagerLimits.maximumPendingConnections` wait already, the one that has waited longest
/// makes room. A connection that proves the key gets a place among the server's
/// ``ManagerLimits/maximumConnections`` and is handed to `serve`, or is told the server is full.
struct AuthenticationGate {
    /// One accepted connection on its way through the challenge.
    private struct Pending {
        let fd: Int32
        let nonce: [UInt8]
        let deadline: Int64
        /// The answer's length prefix and body, as far as they came.
        var received: [UInt8]
        var count = 0
    }

    let key: [UInt8]
    let limits: ManagerLimits
    let state: ServerState
    /// Serves an authenticated connection: its descriptor and its number from `state`.
    let serve: (Int32, Int) -> Void
    /// Oldest first.
    private var pending: [Pending] = []
    /// While accept(2) fails (out of descriptors), the listener rests until then.
    private var acceptPausedUntil: Int64 = 0

    init(key: [UInt8], limits: ManagerLimits, state: ServerState, serve: @escaping (Int32, Int) -> Void) {
        self.key = key
        self.limits = limits
        self.state = state
        self.serve = serve
    }

    /// Accepts connections on `listener` (non-blocking) and takes them through the challenge,
    /// until `ownerDescriptor` (a pidfd, if any) becomes readable: then returns.
    mutating func run(listener: Int32, ownerDescriptor: Int32?) {
        while true {
            let listening = monotonicNanoseconds() >= acceptPausedUntil
            var watched = ownerDescriptor.map { [$0] } ?? []
            if listening { watched.append(listener) }
            let firstPending = watched.count
            watched += pending.map(\.fd)
            var wake = pending.first?.deadline
            if !listening { wake = min(wake ?? acceptPausedUntil, acceptPausedUntil) }
            let ready = (try? system_poll(watched, events: Int16(POLLIN), deadline: Deadline(nanoseconds: wake))) ?? []
            if ownerDescriptor != nil, ready.first == 0 { return }
            var finished: Set<Int> = []
            for index in ready where index >= firstPending {
                if !advance(&pending[index - firstPending]) { finished.insert(index - firstPending) }
            }
            // Deadlines come in arrival order: the expired ones are at the front.
            let current = monotonicNanoseconds()
            for index in pending.indices {
                guard pending[index].deadline <= current else { break }
                if finished.insert(index).inserted { system_close(pending[index].fd) }
            }
            if !finished.isEmpty {
                pending = pending.enumerated().filter { !finished.contains($0.offset) }.map(\.element)
            }
            if listening, ready.contains(firstPending - 1) { acceptWaiting(listener) }
        }
    }

    /// Accepts every connection waiting (up to 64 at a time) and sends each its challenge.
    private mutating func acceptWaiting(_ listener: Int32) {
        for _ in 0..<64 {
            let fd: Int32
            do {
                guard let accepted = try system_accept(listener) else { return }
                fd = accepted
            } catch where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errno) {
                // Out of descriptors or memory: make room, and let the listener rest a moment
                // (it stays readable, so polling it now would spin).
                if !pending.isEmpty { system_close(pending.removeFirst().fd) }
                acceptPausedUntil = monotonicNanoseconds() + 50_000_000
                return
            } catch {
                continue  // that connection failed before it was accepted
            }
            // Room first, then the challenge: no peer is ever challenged while more than the
            // limit wait (the one accepted is over it only until the oldest is closed here).
            if pending.count >= ManagerLimits.maximumPendingConnections {
                system_close(pending.removeFirst().fd)
            }
            guard let nonce = try? system_randomBytes(Authentication.nonceSize),
                  sendNow(fd, Authentication.challenge(nonce: nonce)) else {
                system_close(fd)
                continue
            }
            let timeout = Int64(min(limits.authenticationTimeout, 1e9) * 1e9)
            pending.append(Pending(fd: fd, nonce: nonce, deadline: monotonicNanoseconds() + timeout,
                                   received: [UInt8](repeating: 0, count: 4 + Authentication.answerSize)))
        }
    }

    /// Reads what `connection` sent. Returns false when it is finished with: refused, closed,
    /// or handed on (its descriptor then belongs to the server).
    private func advance(_ connection: inout Pending) -> Bool {
        let wanted = connection.count < 4 ? 4 : connection.received.count
        let got: Int?
        do {
            got = try connection.received.withUnsafeMutableBytes { raw in
                try system_recv(connection.fd, raw.baseAddress! + connection.count, wanted - connection.count, dontWait: true)
            }
        } catch {
            system_close(connection.fd)
            return false
        }
        guard let got else { return true }  // nothing there after all
        if got == 0 {
            system_close(connection.fd)
            return false
        }
        connection.count += got
        if connection.count == 4 {
            var reader = FrameReader(body: Array(connection.received[0..<4]))
            let length = Int((try? reader.raw(UInt32.self)) ?? 0)
            // Python caps this frame at 256 bytes; the only answer that can be right has 64.
            guard length <= ManagerLimits.preAuthenticationFrameBytes, length == Authentication.answerSize else {
                refuse(connection.fd)
                return false
            }
        }
        guard connection.count == connection.received.count else { return true }
        let answer = Array(connection.received[4...])
        guard let clientNonce = Authentication.clientNonce(answer: answer, nonce: connection.nonce, key: key) else {
            refuse(connection.fd)
            return false
        }
        guard let id = state.openConnection(limit: limits.maximumConnections) else {
            _ = sendNow(connection.fd, Authentication.serverFull(limit: limits.maximumConnections))
            system_close(connection.fd)
            return false
        }
        let acceptance = Authentication.acceptance(clientNonce: clientNonce, key: key,
                                                   maximumMessageBytes: limits.maximumMessageBytes)
        guard sendNow(connection.fd, acceptance) else {
            system_close(connection.fd)
            state.closeConnection(id)
            return false
        }
        serve(connection.fd, id)
        return false
    }

    private func refuse(_ fd: Int32) {
        _ = sendNow(fd, Authentication.refusal)
        system_close(fd)
    }

    /// Sends a short frame on a fresh connection at once; false when it did not all go.
    private func sendNow(_ fd: Int32, _ frame: [UInt8]) -> Bool {
        frame.withUnsafeBytes { raw in ((try? system_sendNow(fd, raw)) ?? nil) == frame.count }
    }
}
