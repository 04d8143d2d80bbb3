import Glibc
import Multiprocessing

// Attacks on a manager's server over TCP: before authentication (a huge announced length,
// random bytes, idle connections) and after it (a message over the configured limit). The
// server must stay small, keep its threads bounded and go on serving real clients quickly.

private let attackKey = Array("fault-case key".utf8)

private func startAttackedManager(_ limits: ManagerLimits = ManagerLimits()) throws -> (Manager, Int32, UInt16) {
    let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: attackKey, limits: limits)
    guard let pid = manager.serverPid, case .tcp(_, let port) = manager.address else {
        throw CaseFailure("the manager has no server pid or no TCP port")
    }
    return (manager, pid, port)
}

/// A field of /proc/<pid>/status as a number: `VmRSS` (KiB), `Threads`.
private func statusNumber(_ pid: Int32, _ field: String) -> Int {
    guard let text = readSmallFile("/proc/\(pid)/status") else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.dropFirst(field.count + 1).filter { $0.isNumber }) ?? -1
    }
    return -1
}

private func descriptorCount(_ pid: Int32) -> Int { directoryEntries("/proc/\(pid)/fd").count }

/// A TCP socket connected to 127.0.0.1:`port`, or -1.
private func connectRaw(port: UInt16) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if result != 0 { close(fd); return -1 }
    return fd
}

/// Waits until the peer closes `fd` (end of file or reset) or `seconds` pass; true if it closed.
private func waitForClose(_ fd: Int32, within seconds: Double) -> Bool {
    let end = nowNanoseconds() + Int64(seconds * 1e9)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while nowNanoseconds() < end {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let left = Int32(max(1, (end - nowNanoseconds()) / 1_000_000))
        if Glibc.poll(&entry, 1, left) <= 0 { continue }
        if recv(fd, &buffer, buffer.count, 0) <= 0 { return true }
    }
    return false
}

/// Runs `body` on a new thread and waits for it: the manager connections it made close when
/// the thread ends.
private func onFreshThread(_ body: @escaping () -> Void) {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&thread, nil, { box in
        Unmanaged<Box>.fromOpaque(box!).takeRetainedValue().body()
        return nil
    }, box)
    pthread_join(thread, nil)
}

/// How long a fresh client takes to connect, authenticate and get one answer, in ms (each of
/// `count` tries, each on a thread of its own), and how long a round trip then takes.
private func realClientTimes(port: UInt16, count: Int) throws -> (connect: [Double], roundTrip: [Double]) {
    nonisolated(unsafe) var connects: [Double] = []
    nonisolated(unsafe) var trips: [Double] = []
    nonisolated(unsafe) var failure: (any Error)?
    for _ in 0..<count {
        onFreshThread {
            do {
                let start = nowNanoseconds()
                // Connects, authenticates, and has its first request (a ping) answered.
                let client = try Manager.connect(address: .tcp(host: "127.0.0.1", port: port), authKey: attackKey)
                let connected = nowNanoseconds()
                try client.dict(String.self, Int.self, name: "scores").set("real", to: 1)
                connects.append(milliseconds(from: start, to: connected))
                trips.append(milliseconds(since: connected) / 2)
            } catch {
                failure = error
            }
        }
        if let failure { throw CaseFailure("the real client failed: \(failure)") }
    }
    return (connects.sorted(), trips.sorted())
}

private func median(_ sorted: [Double]) -> Double { sorted.isEmpty ? 0 : sorted[sorted.count / 2] }

// MARK: - 1 GiB announced before authentication

func managerHugeLengthBeforeAuthentication() throws -> String {
    let (manager, server, port) = try startAttackedManager()
    defer { try? manager.shutdown() }
    let rssBefore = statusNumber(server, "VmRSS")
    var slowest = 0.0
    for _ in 0..<50 {
        let fd = connectRaw(port: port)
        try expect(fd >= 0, "cannot connect to the manager")
        var challenge = [UInt8](repeating: 0, count: 48)
        _ = recv(fd, &challenge, 48, Int32(MSG_WAITALL))
        var length: [UInt8] = [0, 0, 0, 0x40]  // 1 GiB, then nothing
        let start = nowNanoseconds()
        _ = send(fd, &length, 4, Int32(MSG_NOSIGNAL))
        let closed = waitForClose(fd, within: 3)
        slowest = max(slowest, milliseconds(since: start))
        close(fd)
        try expect(closed, "the server kept a connection that announced 1 GiB before authenticating")
    }
    let rssAfter = statusNumber(server, "VmRSS")
    try expect(rssAfter < 64 * 1024, "server RSS \(rssAfter / 1024) MiB after the attack (limit 64 MiB)")
    try expect(rssAfter - rssBefore < 4 * 1024, "server RSS grew \(rssBefore / 1024) → \(rssAfter / 1024) MiB")
    let times = try realClientTimes(port: port, count: 5)
    return "50 × 1 GiB announced: each closed within \(format(slowest)) ms; server RSS \(format(Double(rssBefore) / 1024)) → \(format(Double(rssAfter) / 1024)) MiB; real client served in \(format(median(times.connect))) ms"
}

// MARK: - 200 hostile connections sending random bytes

/// One flooder: keeps `connections` connections to `port` sending random bytes, reconnecting
/// each one the server closes (counted in `opened`), until killed. Every 50 ms it sends 2 KiB
/// on each: at most 20 new connections a second each, an attacker from elsewhere, not one
/// that takes this machine's CPUs from the server.
private func flood(port: UInt16, connections: Int, opened: Value<Int64>) -> Never {
    var noise = [UInt8](repeating: 0, count: 4096)
    for index in noise.indices { noise[index] = UInt8.random(in: 0...255) }
    var sockets = [Int32](repeating: -1, count: connections)
    while true {
        for slot in sockets.indices {
            if sockets[slot] < 0 {
                sockets[slot] = connectRaw(port: port)
                opened.value += 1
            }
            guard sockets[slot] >= 0 else { continue }
            let offset = Int.random(in: 0..<2048)
            let sent = noise.withUnsafeBytes { send(sockets[slot], $0.baseAddress! + offset, 2048, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if sent < 0 && errno != EAGAIN {
                close(sockets[slot])
                sockets[slot] = -1
            }
        }
        usleep(50_000)
    }
}

func managerHostileConnections() throws -> String {
    let (manager, server, port) = try startAttackedManager()
    defer { try? manager.shutdown() }
    var flooders: [Process] = []
    defer {
        for flooder in flooders {
            try? flooder.kill()
            try? flooder.join()
        }
    }
    let opened = try Value<Int64>(0)
    for _ in 0..<2 {
        let flooder = Process { flood(port: port, connections: 100, opened: opened) }
        try flooder.start()
        flooders.append(flooder)
    }
    sleepSeconds(0.5)  // the flood is on
    var peakRSS = 0
    var peakThreads = 0
    var connects: [Double] = []
    var trips: [Double] = []
    let openedBefore = opened.value
    let end = nowNanoseconds() + 3_000_000_000
    while nowNanoseconds() < end {
        peakRSS = max(peakRSS, statusNumber(server, "VmRSS"))
        peakThreads = max(peakThreads, statusNumber(server, "Threads"))
        let times = try realClientTimes(port: port, count: 1)
        connects += times.connect
        trips += times.roundTrip
        sleepSeconds(0.05)
    }
    let hostile = opened.value - openedBefore
    for flooder in flooders { try expect(flooder.isAlive, "a flooder ended early (exit code \(flooder.exitCode.map(String.init) ?? "?"))") }
    connects.sort()
    trips.sort()
    try expect(peakRSS < 64 * 1024, "server RSS reached \(peakRSS / 1024) MiB under the flood (limit 64 MiB)")
    try expect(median(connects) < 10, "a real client needed \(format(median(connects))) ms (median) to connect and be answered (limit 10 ms)")
    return "200 flooding connections, 3 s, \(hostile) of them refused and reopened: server RSS ≤ \(format(Double(peakRSS) / 1024)) MiB, threads ≤ \(peakThreads); real client connect + answer median \(format(median(connects))) ms (max \(format(connects.last ?? 0))), round trip median \(format(median(trips), digits: 2)) ms"
}

// MARK: - 2,000 idle connections

func managerIdleConnections() throws -> String {
    let wanted = 2000
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < rlim_t(wanted + 200) {
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted + 200))
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
    try expect(limit.rlim_cur >= rlim_t(wanted + 200), "RLIMIT_NOFILE is \(limit.rlim_cur): the case needs \(wanted + 200) descriptors")
    let timeout = 2.0
    let (manager, server, port) = try startAttackedManager(ManagerLimits(authenticationTimeout: timeout))
    defer { try? manager.shutdown() }
    let threadsBefore = statusNumber(server, "Threads")
    let descriptorsBefore = descriptorCount(server)
    var sockets: [Int32] = []
    defer { sockets.forEach { close($0) } }
    let opened = nowNanoseconds()
    for _ in 0..<wanted {
        let fd = connectRaw(port: port)
        try expect(fd >= 0, "connect failed after \(sockets.count) connections: errno \(errno)")
        sockets.append(fd)
    }
    let threads = statusNumber(server, "Threads")
    let descriptors = descriptorCount(server)
    let times = try realClientTimes(port: port, count: 5)
    try expect(threads <= threadsBefore + 1, "the server holds \(threads) threads with \(wanted) idle connections (before: \(threadsBefore))")
    try expect(descriptors <= descriptorsBefore + 512 + 8, "the server holds \(descriptors) descriptors (before: \(descriptorsBefore))")
    try expect(median(times.connect) < 10, "a real client needed \(format(median(times.connect))) ms among the idle connections (limit 10 ms)")
    var lastClose = 0.0
    for fd in sockets {
        let closed = waitForClose(fd, within: max(0.1, timeout + 3 - milliseconds(since: opened) / 1000))
        if !closed {
            let open = sockets.filter { !waitForClose($0, within: 0.01) }.count
            throw CaseFailure("\(open) idle connections still open \(format(milliseconds(since: opened) / 1000)) s after the first was made; server fds \(descriptorCount(server)), threads \(statusNumber(server, "Threads"))")
        }
        lastClose = max(lastClose, milliseconds(since: opened) / 1000)
    }
    return "\(wanted) idle connections: server threads \(threadsBefore) → \(threads), descriptors \(descriptorsBefore) → \(descriptors); real client served in \(format(median(times.connect))) ms; all closed by \(format(lastClose)) s (timeout \(format(timeout)) s)"
}

// MARK: - An authenticated message over the limit

func managerMessageOverLimit() throws -> String {
    let limit = 1 << 20
    let manager = try Manager(limits: ManagerLimits(maximumMessageBytes: limit))
    defer { try? manager.shutdown() }
    let list = try manager.list(String.self)
    var requestError = ""
    do {
        try list.append(String(repeating: "x", count: 2 << 20))
        throw CaseFailure("a 2 MiB request passed a 1 MiB limit")
    } catch let error as ManagerError {
        guard case .messageTooLarge(_, let reported) = error, reported == limit else { throw CaseFailure("wrong error: \(error)") }
        try expect(error.description.contains("ManagerLimits.maximumMessageBytes"), "the error does not name the option: \(error)")
        requestError = error.description
    }
    for _ in 0..<3 { try list.append(String(repeating: "y", count: 400_000)) }
    do {
        _ = try list.copy()
        throw CaseFailure("a 1.2 MB reply passed a 1 MiB limit")
    } catch ManagerError.messageTooLarge(let bytes, let reported) {
        try expect(bytes > limit && reported == limit, "reply refused with \(bytes) / \(reported)")
    }
    try expect(try list.count == 3, "the proxy stopped working after the refusals")
    return "2 MiB request and 1.2 MB reply refused, proxy still works: \"\(requestError.prefix(90))…\""
}

// MARK: - A client in an unrelated process

/// The client copy (`mp-faults --manager-client PORT KEY`): a process started with exec, which
/// knows only the address and the key; it appends to a list it finds inside a named dict.
func runUnrelatedManagerClient(port: String, key: String) -> Never {
    do {
        guard let port = UInt16(port) else { throw CaseFailure("bad port \(port)") }
        let manager = try Manager.connect(address: .tcp(host: "127.0.0.1", port: port), authKey: Array(key.utf8))
        let board = try manager.dict(String.self, ListProxy<String>.self, name: "board")
        try board["log"].append("hello from pid \(getpid())")
        print("ok")
        exit(0)
    } catch {
        print("error: \(error)")
        exit(1)
    }
}

func managerUnrelatedClient() throws -> String {
    let key = "unrelated client key"
    let manager = try Manager(address: .tcp(host: "127.0.0.1", port: 0), authKey: Array(key.utf8))
    defer { try? manager.shutdown() }
    guard case .tcp(_, let port) = manager.address else { throw CaseFailure("not TCP") }
    let log = try manager.list(String.self)
    try manager.dict(String.self, ListProxy<String>.self, name: "board").set("log", to: log)
    let start = nowNanoseconds()
    let client = try Spawned(arguments: ["--manager-client", "\(port)", key], newGroup: false)
    defer { close(client.output) }
    let line = client.readLine(within: 10)
    let status = client.reap(within: 5)
    try expect(line == "ok", "the client said \(line ?? "nothing")")
    try expect(status == 0, "the client ended with wait status \(status.map(String.init) ?? "unknown")")
    let entries = try log.copy()
    try expect(entries == ["hello from pid \(client.pid)"], "the list holds \(entries)")
    return "an exec'd process with only address and key appended to a list found in a named dict, in \(format(milliseconds(since: start))) ms"
}
