import Glibc
import Multiprocessing

// MARK: - A pool worker SIGKILLed mid-task

enum PoolCall: String { case map, imap, applyAsync }

/// A killer process, forked before any pool thread exists (fork from a multithreaded parent
/// is what the library guards against; the suite does not add its own), that waits for a
/// task to publish its pid, records the time and SIGKILLs it.
func startKiller(victim: Value<Int32>, killedAt: Value<Int64>) throws -> Process {
    let killer = Process(name: "killer") {
        while victim.value == 0 { usleep(200) }
        usleep(20_000)  // let the task settle into its sleep
        killedAt.value = nowNanoseconds()
        kill(victim.value, SIGKILL)
    }
    try killer.start()
    return killer
}

/// Item 3's task publishes its pid and sleeps forever; the killer SIGKILLs that worker.
func poolWorkerKilled(during call: PoolCall) throws -> String {
    let victim = try Value<Int32>(0, lock: false)
    let killedAt = try Value<Int64>(0, lock: false)
    let killer = try startKiller(victim: victim, killedAt: killedAt)
    defer { try? killer.kill(); try? killer.join(timeout: 1) }
    let pool = try Pool(processes: 2)
    defer { pool.terminate() }
    let work: @Sendable (Int) -> Int = { x in
        if x == 3 {
            victim.value = getpid()
            while true { pause() }
        }
        return x * 2
    }
    var failure: (any Error)?
    var delivered = 0
    switch call {
    case .map:
        do { _ = try pool.map(0..<8, chunkSize: 1, work) } catch { failure = error }
    case .imap:
        let results = try pool.imap(0..<8, work)
        do {
            while let value = try results.next(timeout: 5) {
                try expect(value == delivered * 2, "imap result \(delivered) was \(value)")
                delivered += 1
            }
        } catch { failure = error }
    case .applyAsync:
        let result = try pool.applyAsync { work(3) }
        do { _ = try result.get(timeout: 5) } catch { failure = error }
    }
    let latency = milliseconds(from: killedAt.value, to: nowNanoseconds())
    guard let failure else { throw CaseFailure("\(call.rawValue) returned normally after its worker was killed") }
    guard case PoolError.workerDied(_, let pid, let code) = failure else {
        throw CaseFailure("\(call.rawValue) failed with \(failure), expected workerDied")
    }
    try expect(pid == victim.value && code == -SIGKILL, "workerDied names pid \(pid) code \(code), the victim was \(victim.value)")
    try expect(latency < 1000, "the error came \(format(latency)) ms after the kill (limit 1000 ms)")
    // The pool replaced the worker and stays usable.
    let again = try pool.mapAsync(0..<20, chunkSize: 2) { $0 + 1 }.get(timeout: 5)
    try expect(again == Array(1...20), "the next map returned \(again)")
    let prefix = call == .imap ? "\(delivered) results, then " : ""
    return "\(prefix)workerDied(pid \(pid), exit \(code)) \(format(latency)) ms after the SIGKILL; the next map on the same pool is correct"
}

/// The executor's worker is killed during `submit`'s task: the future fails with
/// brokenProcessPool and the executor refuses new work, as Python's `BrokenProcessPool`.
func executorWorkerKilled() throws -> String {
    let victim = try Value<Int32>(0, lock: false)
    let killedAt = try Value<Int64>(0, lock: false)
    let killer = try startKiller(victim: victim, killedAt: killedAt)
    defer { try? killer.kill(); try? killer.join(timeout: 1) }
    let executor = try ProcessPoolExecutor(maxWorkers: 2)
    defer { executor.shutdown(wait: false, cancelFutures: true) }
    let healthy = try executor.submit { 21 * 2 }
    try expect(try healthy.result(timeout: 5) == 42, "the first future was wrong")
    let doomed = try executor.submit { () -> Int in
        victim.value = getpid()
        while true { pause() }
    }
    var reason = ""
    do {
        _ = try doomed.result(timeout: 5)
        throw CaseFailure("the future of a killed worker returned a value")
    } catch ExecutorError.brokenProcessPool(let why) {
        reason = why
    }
    let latency = milliseconds(from: killedAt.value, to: nowNanoseconds())
    try expect(latency < 1000, "the error came \(format(latency)) ms after the kill (limit 1000 ms)")
    var refused = false
    do { _ = try executor.submit { 1 } } catch ExecutorError.brokenProcessPool { refused = true }
    try expect(refused, "a broken executor accepted new work")
    return "brokenProcessPool \(format(latency)) ms after the SIGKILL (\(reason)); later submit refused as broken"
}

// MARK: - The parent SIGKILLed

enum DoomedParent: String { case daemons, pool, manager }

/// The parent copy (`mp-faults --parent KIND`): sets up its children, prints "ready", sleeps.
func runDoomedParent(_ kind: String) -> Never {
    do {
        switch DoomedParent(rawValue: kind) {
        case .daemons:
            var children: [Process] = []
            for index in 0..<3 {
                let child = Process(name: "daemon-\(index)", daemon: true) { while true { pause() } }
                try child.start()
                children.append(child)
            }
            print("ready")
            fflush(nil)
            while true { pause() }
        case .pool:
            let running = try Value<Int32>(0)
            let pool = try Pool(processes: 2)
            let pending = try pool.mapAsync(0..<4, chunkSize: 1) { (_: Int) -> Int in
                running.value += 1
                while true { pause() }
            }
            while running.value < 2 { usleep(1000) }
            print("ready")
            fflush(nil)
            while true { pause() }
            _ = pending
        case .manager:
            let manager = try Manager()
            let shared = try manager.dict(["answer": 42])
            try expect(try shared.get("answer") == 42, "manager dict broken")
            print("ready")
            fflush(nil)
            while true { pause() }
        case nil:
            print("unknown parent kind \(kind)")
            exit(2)
        }
    } catch {
        print("error: \(error)")
        exit(1)
    }
}

/// Starts a parent copy, records its descendants, SIGKILLs it, and polls until they are gone.
func parentKilled(_ kind: DoomedParent) throws -> String {
    let parent = try Spawned(arguments: ["--parent", kind.rawValue], newGroup: false)
    defer { close(parent.output) }
    let line = parent.readLine(within: 5)
    try expect(line == "ready", "the parent copy said \(line ?? "nothing")")
    let children = descendants(of: parent.pid)
    try expect(!children.isEmpty, "the parent copy has no children")
    kill(parent.pid, SIGKILL)
    let killed = nowNanoseconds()
    _ = parent.reap(within: 2)
    var goneAt: [Int32: Double] = [:]
    _ = poll(upTo: 3) {
        for pid in children where goneAt[pid] == nil && isGone(pid) {
            goneAt[pid] = milliseconds(since: killed)
        }
        return goneAt.count == children.count
    }
    let survivors = children.filter { goneAt[$0] == nil }
    for pid in survivors { kill(pid, SIGKILL) }
    let slowest = goneAt.values.max() ?? 0
    let names = survivors.map { "\($0) (\(readSmallFile("/proc/\($0)/comm")?.split(separator: "\n").first ?? "?"))" }
    try expect(survivors.isEmpty, "orphans after 3 s: \(names.joined(separator: ", "))")
    try expect(slowest < 1000, "the last descendant went \(format(slowest)) ms after the kill (limit 1000 ms)")
    return "\(children.count) descendants, all gone \(format(slowest)) ms after the parent's SIGKILL; no orphans"
}

// MARK: - The manager server SIGKILLed under five clients

func managerKilledUnderClients() throws -> String {
    let clients = 5
    let manager = try Manager()
    let shared = try manager.dict([String: Int]())
    let progress = try SharedArray<Int64>(repeating: 0, count: clients, lock: false)
    let errorAt = try SharedArray<Int64>(repeating: 0, count: clients, lock: false)
    let errorKind = try SharedArray<Int32>(repeating: 0, count: clients, lock: false)
    var processes: [Process] = []
    for index in 0..<clients {
        let client = Process(name: "client-\(index)") {
            var count: Int64 = 0
            do {
                while true {
                    try shared.set("client-\(index)", to: Int(count))
                    _ = try shared.get("client-\(index)")
                    count += 1
                    progress[index] = count
                }
            } catch let error as ManagerError {
                errorAt[index] = nowNanoseconds()
                if case .serverGone = error { errorKind[index] = 1 } else { errorKind[index] = 2 }
            } catch {
                errorAt[index] = nowNanoseconds()
                errorKind[index] = 3
            }
        }
        try client.start()
        processes.append(client)
    }
    defer { for client in processes where client.isAlive { try? client.kill(); try? client.join(timeout: 1) } }
    try expect(poll(upTo: 5) { (0..<clients).allSatisfy { progress[$0] >= 20 } }, "the clients did not get going: \(progress.copy())")
    guard let server = manager.serverPid else { throw CaseFailure("no server pid") }
    kill(server, SIGKILL)
    let killed = nowNanoseconds()
    var hung: [String] = []
    for client in processes {
        try client.join(timeout: 3)
        if client.isAlive { hung.append(client.name) }
    }
    try expect(hung.isEmpty, "clients still blocked 3 s after the kill: \(hung)")
    let kinds = errorKind.copy()
    try expect(kinds.allSatisfy { $0 == 1 }, "error kinds \(kinds) (1 = serverGone, 2 = other ManagerError, 3 = other error)")
    let latencies = errorAt.copy().map { milliseconds(from: killed, to: $0) }
    let slowest = latencies.max() ?? 0
    // This process's own proxy is told too, and shutdown() does not hang.
    var parentTold = false
    do { _ = try shared.get("client-0") } catch ManagerError.serverGone { parentTold = true }
    try expect(parentTold, "the parent's proxy was not told serverGone")
    let shutdownStart = nowNanoseconds()
    try? manager.shutdown()
    let shutdown = milliseconds(since: shutdownStart)
    try expect(slowest < 1000, "slowest client told after \(format(slowest)) ms")
    return "\(clients)/\(clients) clients got serverGone within \(format(slowest)) ms of the SIGKILL (\(progress.copy().reduce(0, +)) calls before it); parent proxy told; shutdown() \(format(shutdown)) ms"
}
