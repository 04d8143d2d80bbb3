import Glibc
import Testing
@testable import Multiprocessing

/// The number of open descriptors of this process.
private func descriptorsOpenNow() -> Int {
    guard let dir = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(dir) }
    var count = 0
    while readdir(dir) != nil { count += 1 }
    return count
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// Starts `body` in a child and returns its exit code (0 when it ran without throwing; nil
/// when it was still running after 10 s and had to be killed).
func runChild(_ body: @escaping () throws -> Void) throws -> Int32? {
    let p = Process(target: body)
    try p.start()
    try p.join(timeout: 10)
    if p.isAlive { try p.kill(); try p.join() }
    return p.exitCode
}

@Suite("Manager internals")
struct ManagerInternalsTests {
    @Test func sha256KnownVectors() {
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update([UInt8](repeating: 0x61, count: 1000)) }  // one million 'a'
        #expect(hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hmacRFC4231Vectors() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(hex(HMACSHA256.authenticationCode(key: key1, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(hex(HMACSHA256.authenticationCode(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: a key longer than the block size is hashed first.
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(hex(HMACSHA256.authenticationCode(key: longKey, message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func codecRoundTripsStructuredValues() throws {
        struct Point: Codable, Equatable { var x: Int; var label: String?; var tags: [String: Double] }
        let value = [Point(x: -3, label: nil, tags: ["a": 1.5]), Point(x: 7, label: "seven", tags: [:])]
        let bytes = try ProxyCodec.encode(value)
        #expect(try ProxyCodec.decode([Point].self, from: bytes[...]) == value)
        #expect(try ProxyCodec.encode(42) == ProxyCodec.encode(42))
        #expect(throws: (any Error).self) { try ProxyCodec.decode(Int.self, from: [9, 9][...]) }
    }
}

@Suite("Manager", .serialized)
struct ManagerTests {
    @Test func seedSampleFiveProcessesUnderLock() throws {
        try withManager { manager in
            let sharedDict = try manager.dict(Int.self, Int.self)
            let sharedList = try manager.list(Int.self)
            let lock = try manager.lock()
            var processes: [Process] = []
            for i in 0..<5 {
                let p = Process {
                    try lock.withLock {
                        try sharedDict.set(i, to: i * 10)
                        try sharedList.append(i)
                    }
                }
                processes.append(p)
                try p.start()
            }
            for p in processes { try p.join() }
            #expect(processes.allSatisfy { $0.exitCode == 0 })
            #expect(try sharedDict.copy() == [0: 0, 1: 10, 2: 20, 3: 30, 4: 40])
            #expect(try sharedList.copy().sorted() == [0, 1, 2, 3, 4])
        }
    }

    @Test func dictAndListOperations() throws {
        try withManager { manager in
            let d = try manager.dict(["b": 2, "a": 1])
            try d.set("c", to: 3)
            #expect(try d["c"] == 3)
            #expect(try d.get("zz", default: -1) == -1)
            #expect(try d.contains("a"))
            #expect(try d.count == 3)
            #expect(try d.keys().last == "c")
            #expect(try d.removeValue(forKey: "c") == 3)
            #expect(try d.removeValue(forKey: "c") == nil)
            #expect(try d.values().sorted() == [1, 2])
            #expect(throws: ManagerError.keyNotFound(key: "\"missing\"")) { try d["missing"] }

            let l = try manager.list(["x", "y"])
            try l.extend(["z", "w"])
            #expect(try l[-1] == "w")
            #expect(try l.remove(at: 0) == "x")
            try l.set(0, to: "Y")
            try l.insert("first", at: 0)
            #expect(try l.copy() == ["first", "Y", "z", "w"])
            #expect(try l.count == 4)
            #expect(throws: ManagerError.indexOutOfRange(index: 9, count: 4)) { try l[9] }
        }
    }

    @Test func valueNamespaceEventSemaphoreBarrierCondition() throws {
        try withManager { manager in
            let v = try manager.value(1.5)
            try v.set(2.5)
            #expect(try v.value == 2.5)

            let ns = try manager.namespace()
            try ns.set("x", to: 10)
            try ns.set("name", to: "demo")
            let x: Int = try ns.x
            let name: String = try ns.name
            #expect(x == 10 && name == "demo")
            #expect(throws: ManagerError.keyNotFound(key: "missing")) { let _: Int = try ns.missing }
            #expect(try ns.names() == ["x", "name"])

            let event = try manager.event()
            #expect(try !event.wait(timeout: 0.01))
            let setter = Process { try event.set() }
            try setter.start()
            #expect(try event.wait(timeout: 5))
            try setter.join()

            let semaphore = try manager.boundedSemaphore(1)
            #expect(try semaphore.acquire())
            #expect(try !semaphore.acquire(block: false))
            try semaphore.release()
            #expect(throws: ManagerError.semaphoreOverReleased) { try semaphore.release() }

            let barrier = try manager.barrier(parties: 2)
            let other = Process { try barrier.wait(timeout: 5) }
            try other.start()
            let index = try barrier.wait(timeout: 5)
            try other.join()
            #expect(other.exitCode == 0 && (index == 0 || index == 1))
            #expect(throws: ManagerError.brokenBarrier) { try barrier.wait(timeout: 0.01) }

            let condition = try manager.condition()
            let ready = try manager.value(false)
            let waiter = Process {
                try condition.withLock {
                    guard try condition.waitFor(timeout: 5, { try ready.value }) else { exit(3) }
                }
            }
            try waiter.start()
            try condition.withLock {
                try ready.set(true)
                try condition.notifyAll()
            }
            try waiter.join()
            #expect(waiter.exitCode == 0)
            #expect(throws: ManagerError.notOwner(object: "Condition")) { try condition.notify() }
        }
    }

    @Test func queuesAcrossProcesses() throws {
        try withManager { manager in
            let queue = try manager.joinableQueue(String.self, maxSize: 2)
            let consumer = Process {
                for _ in 0..<3 {
                    _ = try queue.get(timeout: 5)
                    try queue.taskDone()
                }
            }
            try consumer.start()
            for word in ["a", "b", "c"] { try queue.put(word, timeout: 5) }
            #expect(try queue.join(timeout: 5))
            try consumer.join()
            #expect(consumer.exitCode == 0)
            #expect(try queue.empty())
            #expect(throws: QueueError.empty) { try queue.getNowait() }
            try queue.putNowait("x")
            try queue.putNowait("y")
            #expect(try queue.full())
            #expect(throws: QueueError.full) { try queue.put("z", timeout: 0.01) }
        }
    }

    @Test func proxiesWorkInGrandchildren() throws {
        try withManager { manager in
            let d = try manager.dict(String.self, Int.self)
            let code = try runChild {
                // A proxy made in the child, used by a grandchild forked after it was made.
                let l = try manager.list(Int.self, name: "made-in-child")
                let grandchild = Process {
                    try d.set("grandchild", to: Int(getpid()))
                    try l.append(7)
                }
                try d.set("child", to: Int(getpid()))
                try grandchild.start()
                try grandchild.join()
                if grandchild.exitCode != 0 { exit(2) }
            }
            #expect(code == 0)
            let entries = try d.copy()
            #expect(entries.count == 2 && entries["child"] != entries["grandchild"])
            #expect(try manager.list(Int.self, name: "made-in-child").copy() == [7])
        }
    }

    @Test func concurrentIncrementsUnderLockAddUp() throws {
        try withManager { manager in
            let counter = try manager.value(0)
            let lock = try manager.lock()
            let processes = (0..<4).map { _ in
                Process {
                    for _ in 0..<100 {
                        try lock.withLock { try counter.set(try counter.value + 1) }
                    }
                }
            }
            for p in processes { try p.start() }
            for p in processes { try p.join() }
            #expect(processes.allSatisfy { $0.exitCode == 0 })
            #expect(try counter.value == 400)
        }
    }

    @Test func threadsHaveTheirOwnConnections() throws {
        try withManager { manager in
            let lock = try manager.rlock()
            try lock.acquire()
            try lock.acquire()  // re-entrant for this thread
            final class Box: @unchecked Sendable { var acquired = true }
            let box = Box()
            var thread = pthread_t()
            let context = Unmanaged.passRetained(ThreadWork {
                box.acquired = (try? lock.acquire(timeout: 0.05)) ?? true
            }).toOpaque()
            pthread_create(&thread, nil, { Unmanaged<ThreadWork>.fromOpaque($0!).takeRetainedValue().body(); return nil }, context)
            pthread_join(thread, nil)
            #expect(!box.acquired)  // another thread is another owner
            try lock.release()
            try lock.release()
            #expect(throws: ManagerError.notOwner(object: "RLock")) { try lock.release() }
        }
    }

    @Test func wrongAuthKeyIsRefused() throws {
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array("right".utf8))
        defer { try? manager.shutdown() }
        #expect(throws: ManagerError.authenticationFailed(address: manager.address.description)) {
            _ = try Manager.connect(address: manager.address, authKey: Array("wrong".utf8))
        }
        // The server still serves clients with the right key.
        let remote = try Manager.connect(address: manager.address, authKey: Array("right".utf8))
        #expect(try remote.dict(String.self, Int.self, name: "d").count == 0)
    }

    @Test func remoteClientConnectsByAddress() throws {
        let key = Array("secret key".utf8)
        let server = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: key)
        defer { try? server.shutdown() }
        guard case .tcp(_, let port) = server.address else { Issue.record("not TCP"); return }
        #expect(port != 0)
        let jobs = try server.queue(String.self, name: "jobs")
        try jobs.put("hello")
        let address = server.address
        let code = try runChild {
            // Only the address and key are used: as an unrelated process would.
            let remote = try Manager.connect(address: address, authKey: key)
            let queue = try remote.queue(String.self, name: "jobs")
            let results = try remote.dict(String.self, String.self, name: "results")
            try results.set("got", to: try queue.get(timeout: 5))
        }
        #expect(code == 0)
        #expect(try server.dict(String.self, String.self, name: "results")["got"] == "hello")
        #expect(throws: ManagerError.wrongKind(name: "jobs", expected: "dict", actual: "Queue")) {
            _ = try server.dict(String.self, String.self, name: "jobs")
        }
    }

    @Test func killedServerGivesErrorsNotHangs() throws {
        let manager = try Manager()
        let d = try manager.dict(Int.self, Int.self)
        let q = try manager.queue(Int.self)
        try d.set(1, to: 1)
        // A child blocked in get() when the server dies gets an error.
        let blocked = Process { do { _ = try q.get(timeout: 20); exit(2) } catch ManagerError.serverGone { exit(0) } }
        try blocked.start()
        usleep(100_000)
        kill(manager.serverPid!, SIGKILL)
        try blocked.join(timeout: 5)
        #expect(blocked.exitCode == 0)
        #expect(throws: ManagerError.self) { try d.set(2, to: 2) }
        do {
            try d.set(3, to: 3)
            Issue.record("no error")
        } catch ManagerError.serverGone(_, let reason) {
            #expect(!reason.isEmpty)
        }
        try manager.shutdown()
    }

    @Test func nothingLeftBehindAfterShutdown() throws {
        let before = descriptorsOpenNow()
        var path = ""
        var pid: Int32 = 0
        var d: DictProxy<Int, Int>?
        try withManager { manager in
            guard case .unix(let socketPath) = manager.address else { return }
            path = socketPath
            pid = manager.serverPid!
            #expect(system_fileExists(path))
            var mode = stat()
            stat(String(path.prefix(upTo: path.lastIndex(of: "/")!)), &mode)
            #expect(mode.st_mode & 0o777 == 0o700)
            d = try manager.dict()
            try d!.set(1, to: 2)
        }
        #expect(!system_fileExists(path))
        #expect(!system_fileExists(String(path.prefix(upTo: path.lastIndex(of: "/")!))))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        // Other suites may open descriptors meanwhile: a leak is a difference that stays.
        let settled = Deadline(timeout: 2)
        while descriptorsOpenNow() != before, !settled.hasExpired { usleep(20_000) }
        #expect(descriptorsOpenNow() == before)
        #expect(throws: ManagerError.managerShutDown(address: path)) { try d!.set(1, to: 3) }
    }

    @Test func serverEndsWhenOwnerIsKilled() throws {
        let pipe = try system_pipe()
        let owner = Process {
            let manager = try Manager()
            var message = "\(manager.serverPid!) \(manager.address)\n"
            message.withUTF8 { _ = write(pipe.write, $0.baseAddress, $0.count) }
            sleep(30)
        }
        try owner.start()
        system_close(pipe.write)
        var buffer = [UInt8](repeating: 0, count: 256)
        let got = read(pipe.read, &buffer, 256)
        system_close(pipe.read)
        let parts = String(decoding: buffer[0..<max(0, got)], as: UTF8.self).split(separator: " ")
        try owner.kill()
        try owner.join()
        #expect(parts.count == 2)
        guard parts.count == 2, let serverPid = Int32(parts[0]) else { return }
        let path = String(parts[1].filter { $0 != "\n" })
        let deadline = Deadline(timeout: 3)
        while system_processExists(serverPid) || system_fileExists(path), !deadline.hasExpired { usleep(10_000) }
        #expect(!system_processExists(serverPid))
        #expect(!system_fileExists(path))
    }

    @Test func ownerExitingWithoutShutdownTakesTheServerAlong() throws {
        let pipe = try system_pipe()
        let owner = Process {
            let manager = try Manager()
            try manager.dict(Int.self, Int.self).set(1, to: 1)
            var message = "\(manager.serverPid!) \(manager.address)\n"
            message.withUTF8 { _ = write(pipe.write, $0.baseAddress, $0.count) }
            // Returning ends the child through the library's exit path (no shutdown() call).
        }
        try owner.start()
        system_close(pipe.write)
        var buffer = [UInt8](repeating: 0, count: 256)
        let got = read(pipe.read, &buffer, 256)
        system_close(pipe.read)
        try owner.join(timeout: 5)
        #expect(owner.exitCode == 0)
        let parts = String(decoding: buffer[0..<max(0, got)], as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let serverPid = Int32(parts[0]) else { Issue.record("no report"); return }
        let path = String(parts[1].filter { $0 != "\n" })
        let deadline = Deadline(timeout: 3)
        while system_processExists(serverPid) || system_fileExists(path), !deadline.hasExpired { usleep(10_000) }
        #expect(!system_processExists(serverPid))
        #expect(!system_fileExists(path))
    }

    @Test func badInputGetsClearErrorsAndServerStaysUp() throws {
        try withManager { manager in
            struct Unencodable: Codable {
                func encode(to encoder: any Encoder) throws {
                    throw EncodingError.invalidValue(0, .init(codingPath: [], debugDescription: "refuses"))
                }
                init() {}
            }
            let d = try manager.dict(Int.self, Unencodable.self)
            do {
                try d.set(1, to: Unencodable())
                Issue.record("an unencodable value was accepted")
            } catch ManagerError.encodingFailed(let type, let reason) {
                #expect(type == "Unencodable" && reason.contains("refuses"))
            }
            #expect(try d.count == 0)

            // Two proxies of one named object with different types: a decoding error.
            try manager.dict(String.self, Int.self, name: "typed").set("a", to: 1)
            #expect(throws: ManagerError.self) { _ = try manager.dict(String.self, String.self, name: "typed")["a"] }

            // A raw client that authenticates, then sends garbage.
            let socket = try ManagerClient.connect(to: manager.address, authKey: manager.authKey)
            defer { socket.close() }
            try socket.send(frame: [3, 0, 0, 0, 0xff, 1, 2])
            var reply = FrameReader(body: try #require(try socket.receiveFrame(spinNanoseconds: 0)))
            #expect(try reply.raw(UInt8.self) == 1)
            #expect(try reply.field().first == RemoteErrorKind.malformed.rawValue)
            // An unknown object id.
            socket.writer.beginRequest(.dictCount, object: 999, timeoutNanoseconds: -1)
            try socket.sendWriter()
            reply = FrameReader(body: try #require(try socket.receiveFrame(spinNanoseconds: 0)))
            #expect(try reply.raw(UInt8.self) == 1)
            // An impossible frame length: an error reply, then this connection is closed.
            try socket.send(frame: [0xff, 0xff, 0xff, 0x7f])
            reply = FrameReader(body: try #require(try socket.receiveFrame(spinNanoseconds: 0)))
            #expect(try reply.raw(UInt8.self) == 1)
            #expect(try socket.receiveFrame(spinNanoseconds: 0) == nil)
            // Random requests on a fresh connection: each gets a reply, the server stays up.
            let fuzz = try ManagerClient.connect(to: manager.address, authKey: manager.authKey)
            defer { fuzz.close() }
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<300 {
                var body = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if body.first == Operation.shutdown.rawValue { body[0] = 0 }
                if body.count >= 5 { body[1] = 0x7f }  // an object id no object has
                if body.count >= 13 { body[12] = 0 }  // a timeout that is not negative
                var frame = FrameWriter()
                frame.bytes = [0, 0, 0, 0] + body
                frame.finish()
                try fuzz.send(frame: frame.bytes)
                #expect(try fuzz.receiveFrame(spinNanoseconds: 0) != nil)
            }
            // Everyone else is still served.
            try d.removeAll()
            #expect(try manager.dict(String.self, Int.self, name: "typed")["a"] == 1)
        }
    }
}

private final class ThreadWork {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
