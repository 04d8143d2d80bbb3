import Glibc
import Testing
@testable import Multiprocessing

/// A field of /proc/<pid>/status as a number (`RssAnon` in KiB, `Threads`), nil when unreadable.
private func statusField(_ pid: Int32, _ name: String) -> Int? {
    let fd = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 8192)
    let count = read(fd, &bytes, bytes.count)
    guard count > 0 else { return nil }
    for line in String(decoding: bytes[0..<count], as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + ":") {
        return Int(line.dropFirst(name.count + 1).filter { $0.isNumber })
    }
    return nil
}

/// The number of descriptors `pid` has open.
private func descriptorCount(_ pid: Int32) -> Int {
    guard let dir = opendir("/proc/\(pid)/fd") else { return -1 }
    defer { closedir(dir) }
    var count = 0
    while readdir(dir) != nil { count += 1 }
    return count - 2
}

/// A plain socket connected to the manager, with no authentication done.
private func rawConnection(to manager: Manager) throws -> Int32 {
    let fd = try system_socket(family: manager.address.family)
    try system_connect(fd, manager.address.socketAddress())
    return fd
}

/// Reads from `fd` until end of file or `seconds`; returns the bytes and whether it ended.
private func readUntilClosed(_ fd: Int32, within seconds: Double) -> (bytes: [UInt8], closed: Bool) {
    let deadline = Deadline(timeout: seconds)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while let ready = try? system_poll(fd, events: Int16(POLLIN), deadline: deadline), ready != 0 {
        let got = recv(fd, &chunk, chunk.count, 0)
        if got <= 0 { return (bytes, true) }
        bytes += chunk[0..<got]
    }
    return (bytes, false)
}

private func sendBytes(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

@Suite("Manager limits", .serialized)
struct ManagerLimitsTests {
    @Test func gigabyteAnnouncedBeforeAuthenticationEndsTheConnection() throws {
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array("key".utf8))
        defer { try? manager.shutdown() }
        let server = try #require(manager.serverPid)
        // Anonymous memory only: what the server allocates, not the pages of its code that it
        // maps in on first use.
        let rssBefore = try #require(statusField(server, "RssAnon"))
        var sockets: [Int32] = []
        defer { sockets.forEach(system_close) }
        for _ in 0..<8 {
            let fd = try rawConnection(to: manager)
            sockets.append(fd)
            sendBytes(fd, [0, 0, 0, 0x40])  // a length of 1 GiB, then nothing
        }
        for fd in sockets {
            let (bytes, closed) = readUntilClosed(fd, within: 5)
            #expect(closed, "the server kept a connection that announced 1 GiB before authenticating")
            // The challenge (4 + 12 + 32 bytes), then the refusal.
            #expect(bytes.count >= 48)
        }
        let rssAfter = try #require(statusField(server, "RssAnon"))
        #expect(rssAfter - rssBefore < 4 * 1024, "server's anonymous memory grew from \(rssBefore) KiB to \(rssAfter) KiB")
        // The server still serves a client with the key.
        let client = try Manager.connect(address: manager.address, authKey: Array("key".utf8))
        #expect(try client.dict(String.self, Int.self, name: "d").count == 0)
    }

    @Test func idleConnectionsHoldNoThreadAndCloseAtTheDeadline() throws {
        let limits = ManagerLimits(authenticationTimeout: 0.5)
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array("key".utf8), limits: limits)
        defer { try? manager.shutdown() }
        let server = try #require(manager.serverPid)
        let threadsBefore = try #require(statusField(server, "Threads"))
        let sockets = try (0..<100).map { _ in try rawConnection(to: manager) }
        defer { sockets.forEach(system_close) }
        // Every idle connection has its challenge, so the server has accepted them all.
        for fd in sockets {
            var challenge = [UInt8](repeating: 0, count: 48)
            #expect(recv(fd, &challenge, 48, Int32(MSG_WAITALL)) == 48)
        }
        #expect(try #require(statusField(server, "Threads")) == threadsBefore)
        // A real client is served meanwhile.
        let client = try Manager.connect(address: manager.address, authKey: Array("key".utf8))
        try client.dict(String.self, Int.self, name: "d").set("x", to: 1)
        for fd in sockets {
            #expect(readUntilClosed(fd, within: 10).closed, "an idle connection outlived the authentication timeout")
        }
    }

    @Test func waitingConnectionsAreBoundedOldestFirst() throws {
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array("key".utf8))
        defer { try? manager.shutdown() }
        let server = try #require(manager.serverPid)
        let descriptorsBefore = descriptorCount(server)
        let count = ManagerLimits.maximumPendingConnections + 100
        let sockets = try (0..<count).map { _ in try rawConnection(to: manager) }
        defer { sockets.forEach(system_close) }
        for fd in sockets {
            var challenge = [UInt8](repeating: 0, count: 48)
            #expect(recv(fd, &challenge, 48, Int32(MSG_WAITALL)) == 48)
        }
        #expect(descriptorCount(server) <= descriptorsBefore + ManagerLimits.maximumPendingConnections)
        // The first 100 made room for the last 100.
        for fd in sockets.prefix(100) { #expect(readUntilClosed(fd, within: 5).closed) }
        var probe = pollfd(fd: sockets.last!, events: Int16(POLLIN), revents: 0)
        #expect(poll(&probe, 1, 0) == 0, "the newest waiting connection was closed")
        let client = try Manager.connect(address: manager.address, authKey: Array("key".utf8))
        #expect(try client.list(Int.self, name: "l").count == 0)
    }

    @Test func connectionsBeyondTheLimitAreRefused() throws {
        let key = Array("key".utf8)
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: key,
                                  limits: ManagerLimits(maximumConnections: 2))
        defer { try? manager.shutdown() }
        let first = try ManagerClient.connect(to: manager.address, authKey: key)
        let second = try ManagerClient.connect(to: manager.address, authKey: key)
        #expect(throws: ManagerError.tooManyConnections(address: manager.address.description, limit: 2)) {
            _ = try ManagerClient.connect(to: manager.address, authKey: key)
        }
        let message = ManagerError.tooManyConnections(address: "a", limit: 2).description
        #expect(message.contains("ManagerLimits.maximumConnections"))
        first.close()
        // Once the server has seen the close, the place is free again.
        let deadline = Deadline(timeout: 5)
        var third: FramedSocket?
        while third == nil, !deadline.hasExpired {
            third = try? ManagerClient.connect(to: manager.address, authKey: key)
            if third == nil { usleep(10_000) }
        }
        #expect(third != nil)
        third?.close()
        second.close()
    }

    @Test func messagesOverTheLimitAreRefusedWithAClearError() throws {
        let limit = 4096
        try withManager(limits: ManagerLimits(maximumMessageBytes: limit)) { manager in
            let list = try manager.list(String.self)
            // A request over the limit: refused before it is sent; the proxy keeps working.
            do {
                try list.append(String(repeating: "x", count: 10_000))
                Issue.record("a 10,000-byte request passed a 4,096-byte limit")
            } catch let error as ManagerError {
                guard case .messageTooLarge(let bytes, let reported) = error else { throw error }
                #expect(bytes > 10_000 && reported == limit)
                #expect(error.description.contains("ManagerLimits.maximumMessageBytes"))
            }
            // A reply over the limit: the server refuses to send it; the connection stays.
            try list.append(String(repeating: "y", count: 3000))
            try list.append(String(repeating: "z", count: 3000))
            #expect(throws: ManagerError.self) { _ = try list.copy() }
            do { _ = try list.copy() } catch ManagerError.messageTooLarge(let bytes, let reported) {
                #expect(bytes > 6000 && reported == limit)
            }
            #expect(try list.count == 2)

            // A raw authenticated client announcing a frame over the limit gets the error, then
            // end of file; nothing of that size is allocated.
            let socket = try ManagerClient.connect(to: manager.address, authKey: manager.authKey)
            defer { socket.close() }
            #expect(socket.frameLimit == limit)
            try socket.send(frame: [0x00, 0x20, 0, 0] + [UInt8](repeating: 7, count: 100))  // 8 KiB announced
            var reply = FrameReader(body: try #require(try socket.receiveFrame(spinNanoseconds: 0)))
            #expect(try reply.raw(UInt8.self) == 1)
            #expect(try reply.field().first == RemoteErrorKind.messageTooLarge.rawValue)
            #expect(String(decoding: try reply.field(), as: UTF8.self).contains("ManagerLimits.maximumMessageBytes"))
            #expect(try socket.receiveFrame(spinNanoseconds: 0) == nil)
        }
    }

    @Test func limitsThatCannotWorkAreRefused() {
        #expect(throws: ManagerError.self) { _ = try Manager(limits: ManagerLimits(authenticationTimeout: .infinity)) }
        #expect(throws: ManagerError.self) { _ = try Manager(limits: ManagerLimits(maximumConnections: 0)) }
        #expect(throws: ManagerError.self) { _ = try Manager(limits: ManagerLimits(maximumMessageBytes: 10)) }
        do {
            _ = try Manager(limits: ManagerLimits(authenticationTimeout: -1))
        } catch let error as ManagerError {
            #expect(error.description.contains("authenticationTimeout"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func hostileRandomBytesCostTheServerLittle() throws {
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array("key".utf8))
        defer { try? manager.shutdown() }
        let server = try #require(manager.serverPid)
        for _ in 0..<5 {
            let sockets = try (0..<40).map { _ in try rawConnection(to: manager) }
            for fd in sockets { sendBytes(fd, try system_randomBytes(4096)) }
            for fd in sockets {
                #expect(readUntilClosed(fd, within: 5).closed)
                system_close(fd)
            }
        }
        let rss = try #require(statusField(server, "VmRSS"))
        #expect(rss < 64 * 1024, "server RSS \(rss) KiB")
        let client = try Manager.connect(address: manager.address, authKey: Array("key".utf8))
        #expect(try client.value(0, name: "v").value == 0)
    }
}
