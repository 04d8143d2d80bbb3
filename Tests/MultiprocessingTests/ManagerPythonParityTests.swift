import Glibc
import Testing
@testable import Multiprocessing

/// Runs `body` in a child process and returns its exit code (nil if it did not end in 10 s).
private func exitCode(ofChild body: @escaping () throws -> Void) throws -> Int32? {
    let child = Process(target: body)
    try child.start()
    try child.join(timeout: 10)
    if child.isAlive { try child.kill(); try child.join() }
    return child.exitCode
}

@Suite("Manager: Python's BaseManager features", .serialized)
struct ManagerPythonParityTests {
    @Test func proxyStoredInAnotherProxyWorksInAnotherProcess() throws {
        try withManager { manager in
            // Python: d['shared'] = manager.list(); then d['shared'].append(...) elsewhere.
            let d = try manager.dict(String.self, ListProxy<Int>.self)
            let shared = try manager.list(Int.self)
            try d.set("shared", to: shared)
            let code = try exitCode(ofChild: {
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
