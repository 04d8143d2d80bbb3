import Glibc
import Testing
@testable import Multiprocessing

@Suite("Manager: Python's BaseManager features", .serialized)
struct ManagerPythonParityTests {
    @Test func proxyStoredInAnotherProxyWorksInAnotherProcess() throws {
        try withManager { manager in
            // Python: d['shared'] = manager.list(); then d['shared'].append(...) elsewhere.
            let d = try manager.dict(String.self, ListProxy<Int>.self)
            let shared = try manager.list(Int.self)
            try d.set("shared", to: shared)
            let code = try runChild({
                let inner = try d["shared"]
                try inner.append(42)
                try inner.append(43)
            })
            #expect(code == 0)
            #expect(try shared.copy() == [42, 43])
            #expect(try d["shared"].copy() == [42, 43])
            // Proxies of other kinds nest too, and a reference of the wrong kind is refused clearly.
            let locks = try manager.dict(String.self, LockProxy.self)
            try locks.set("guard", to: try manager.rlock())
            #expect(try locks["guard"].acquire(timeout: 1))
            try locks["guard"].release()
            let wrong = try manager.dict(String.self, QueueProxy<Int>.self, name: "wrong")
            try manager.dict(String.self, ListProxy<Int>.self, name: "wrong").set("x", to: shared)
            do {
                _ = try wrong["x"]
                Issue.record("a list proxy decoded as a queue proxy")
            } catch ManagerError.decodingFailed(_, let reason) {
                #expect(reason.contains("cannot be used as a QueueProxy"))
            }
        }
    }

    @Test func nestedProxyFromAnUnrelatedProcessNeedsOnlyAddressAndKey() throws {
        // The child is forked before the manager exists: it inherits no manager, no proxy and
        // no key, only what it reads from the pipe, as a process started separately would.
        let pipe = try system_pipe()
        let child = Process {
            system_close(pipe.write)
            var buffer = [UInt8](repeating: 0, count: 256)
            let got = read(pipe.read, &buffer, buffer.count)
            let parts = String(decoding: buffer[0..<max(0, got)], as: UTF8.self).split(separator: " ")
            guard parts.count == 2, let port = UInt16(parts[0]) else { exit(3) }
            let address = ManagerAddress.tcp(host: "127.0.0.1", port: port)
            let board = try Manager.connect(address: address, authKey: Array(parts[1].utf8))
            let registry = try board.dict(String.self, ListProxy<String>.self, name: "registry")
            try registry["log"].append("from an unrelated process")
        }
        try child.start()
        system_close(pipe.read)
        let key = "unrelated-key"
        let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array(key.utf8))
        defer { try? manager.shutdown() }
        guard case .tcp(_, let port) = manager.address else { Issue.record("not TCP"); return }
        let log = try manager.list(String.self)
        try manager.dict(String.self, ListProxy<String>.self, name: "registry").set("log", to: log)
        var message = "\(port) \(key)"
        message.withUTF8 { _ = write(pipe.write, $0.baseAddress, $0.count) }
        system_close(pipe.write)
        try child.join(timeout: 10)
        if child.isAlive { try child.kill(); try child.join() }
        #expect(child.exitCode == 0)
        #expect(try log.copy() == ["from an unrelated process"])
    }

    @Test func decodingAProxyWithoutItsManagerSaysWhatToDo() throws {
        let reference = ProxyReference(address: .tcp(host: "127.0.0.1", port: 9), id: 1, kind: ObjectKind.list.rawValue)
        let bytes = try ProxyCodec.encode(reference)
        do {
            _ = try ProxyCodec.decode(ListProxy<Int>.self, from: bytes[...])
            Issue.record("a proxy decoded without a manager for its address")
        } catch {
            #expect(String(describing: error).contains("Manager.connect(address: 127.0.0.1:9"))
        }
    }
}

/// A type of the test's own, held by the server (Python's `register('Counter', Counter)`).
private final class Counter {
    var total: Int
    var history: [String] = []
    init(start: Int) { total = start }
}

private struct Bad: Error, CustomStringConvertible { var description: String { "negative amounts are refused" } }

private func counterRegistry() -> ManagerRegistry {
    var registry = ManagerRegistry()
    registry.register("Counter", make: { (start: Int) in Counter(start: start) }) { methods in
        methods.expose("add") { (counter: Counter, amount: Int) -> Int in
            guard amount >= 0 else { throw Bad() }
            counter.total += amount
            return counter.total
        }
        methods.expose("total") { (counter: Counter) in counter.total }
        methods.expose("note") { (counter: Counter, text: String) in counter.history.append(text) }
        methods.expose("history") { (counter: Counter) in counter.history }
    }
    registry.register("Greeter", make: { Greeter() }) { methods in
        methods.expose("greet") { (_: Greeter, name: String) in "hello, \(name)" }
    }
    return registry
}

private final class Greeter {}

@Suite("Manager: registered types and servers of one's own", .serialized)
struct ManagerRegisteredTypesTests {
    @Test func registeredTypeIsSharedAcrossProcesses() throws {
        try withManager(registry: counterRegistry()) { manager in
            let counter = try manager.object("Counter", 10, name: "tally")
            let workers = try (0..<4).map { index in
                let worker = Process {
                    for _ in 0..<25 { let _: Int = try counter.call("add", 1) }
                    try counter.call("note", "worker \(index)")
                }
                try worker.start()
                return worker
            }
            for worker in workers { try worker.join(timeout: 10) }
            #expect(workers.allSatisfy { $0.exitCode == 0 })
            #expect(try counter.call("total", returning: Int.self) == 110)
            #expect(try counter.call("history", returning: [String].self).sorted() == (0..<4).map { "worker \($0)" })
            // The same object by name, and through another proxy (a registered proxy nests too).
            #expect(try manager.object("Counter", 0, name: "tally").call("total", returning: Int.self) == 110)
            let holder = try manager.dict(String.self, ObjectProxy.self)
            try holder.set("c", to: counter)
            #expect(try holder["c"].call("total", returning: Int.self) == 110)
            #expect(try manager.object("Greeter").call("greet", "Ada", returning: String.self) == "hello, Ada")
        }
    }

    @Test func oneInstanceBehindSeveralProxiesTakesOneCallAtATime() throws {
        // Python's register('get_board', callable=lambda: board): every proxy reaches one
        // instance. Its method reads, pauses, then writes: calls must not interleave.
        final class Board { var total = 0 }
        let board = Board()
        var registry = ManagerRegistry()
        registry.register("Board", make: { board }) { methods in
            methods.expose("bump") { (board: Board) in
                let seen = board.total
                usleep(200)
                board.total = seen + 1
            }
            methods.expose("total") { (board: Board) in board.total }
        }
        try withManager(registry: registry) { manager in
            let proxies = try (0..<4).map { _ in try manager.object("Board") }
            let workers = try proxies.map { proxy in
                let worker = Process { for _ in 0..<25 { try proxy.call("bump") } }
                try worker.start()
                return worker
            }
            for worker in workers { try worker.join(timeout: 20) }
            #expect(workers.allSatisfy { $0.exitCode == 0 })
            #expect(try proxies[0].call("total", returning: Int.self) == 100)
        }
    }

    @Test func mistakesWithRegisteredTypesAreClearErrors() throws {
        try withManager(registry: counterRegistry()) { manager in
            #expect(throws: ManagerError.unknownType(typeID: "Maths", registered: ["Counter", "Greeter"])) {
                _ = try manager.object("Maths")
            }
            let counter = try manager.object("Counter", 0)
            #expect(throws: ManagerError.unknownMethod(typeID: "Counter", method: "subtract", exposed: ["add", "history", "note", "total"])) {
                try counter.call("subtract", 1)
            }
            #expect(throws: ManagerError.methodFailed(typeID: "Counter", method: "add", reason: "negative amounts are refused")) {
                let _: Int = try counter.call("add", -1)
            }
            // A missing argument, for make and for a method.
            #expect(throws: ManagerError.self) { _ = try manager.object("Counter") }
            #expect(throws: ManagerError.self) { let _: Int = try counter.call("add") }
            #expect(try counter.call("total", returning: Int.self) == 0)
        }
    }

    @Test func serverRunsInTheCallersProcessUntilAClientShutsItDown() throws {
        let key = Array("serve-forever".utf8)
        let pipe = try system_pipe()
        let host = Process {
            system_close(pipe.read)
            let server = try Manager.server(address: .tcp(host: "127.0.0.1", port: 0), authKey: key,
                                            registry: counterRegistry())
            guard case .tcp(_, let port) = server.address else { exit(3) }
            var message = "\(port)\n"
            message.withUTF8 { _ = write(pipe.write, $0.baseAddress, $0.count) }
            system_close(pipe.write)
            server.serveForever()
        }
        try host.start()
        system_close(pipe.write)
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = read(pipe.read, &buffer, buffer.count)
        system_close(pipe.read)
        let port = try #require(UInt16(String(decoding: buffer[0..<max(0, got)], as: UTF8.self).filter(\.isNumber)))
        defer { if host.isAlive { try? host.kill(); try? host.join() } }

        let address = ManagerAddress.tcp(host: "127.0.0.1", port: port)
        let client = try Manager.connect(address: address, authKey: key)
        #expect(client.serverPid == nil)
        try client.dict(String.self, Int.self, name: "scores").set("a", to: 1)
        let counter = try client.object("Counter", 5, name: "c")
        #expect(try counter.call("add", 2, returning: Int.self) == 7)
        // A second client sees the same objects.
        let other = try Manager.connect(address: address, authKey: key)
        #expect(try other.dict(String.self, Int.self, name: "scores")["a"] == 1)
        // The server is the host process itself: it forked nothing.
        let children = String(decoding: (try? readAll("/proc/\(host.pid!)/task/\(host.pid!)/children")) ?? [], as: UTF8.self)
        let forkedNothing = children.allSatisfy { $0.isWhitespace }
        #expect(forkedNothing, "the host forked \(children)")
        // shutdown() from a client ends serveForever and the host process, with status 0.
        try client.shutdown()
        try host.join(timeout: 5)
        #expect(host.exitCode == 0)
        #expect(throws: ManagerError.self) { _ = try Manager.connect(address: address, authKey: key) }
    }
}

/// The bytes of a small file.
private func readAll(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError(call: "open(\(path))", errno: errno) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 4096)
    let count = read(fd, &bytes, bytes.count)
    return Array(bytes[0..<max(0, count)])
}
