import Glibc
import Multiprocessing

// MARK: - Start → SIGKILL → join cycles

/// 1,000 children started, killed with SIGKILL and joined: no zombie, no descriptor and no
/// /dev/shm entry left behind.
func killJoinCycles() throws -> String {
    let cycles = 1000
    let descriptorsBefore = openDescriptorCount()
    let shmBefore = sharedMemoryEntries()
    let started = nowNanoseconds()
    for index in 0..<cycles {
        let child = Process(name: "victim-\(index)") {
            while true { pause() }
        }
        try child.start()
        try child.kill()
        try child.join(timeout: 5)
        try expect(child.exitCode == -SIGKILL, "cycle \(index): exitCode \(String(describing: child.exitCode)), expected -9")
        try child.close()
    }
    let seconds = Double(nowNanoseconds() - started) / 1e9
    let zombies = zombieChildren()
    let descriptorsAfter = openDescriptorCount()
    let shmAfter = sharedMemoryEntries()
    let figure = "\(cycles) cycles in \(format(seconds, digits: 2)) s (\(format(seconds * 1e6 / Double(cycles), digits: 0)) µs each); zombies \(zombies); open fds \(descriptorsBefore) → \(descriptorsAfter); /dev/shm entries \(shmBefore.count) → \(shmAfter.count); activeChildren \(activeChildren().count)"
    try expect(zombies == 0, "zombies left: " + figure)
    try expect(descriptorsAfter == descriptorsBefore, "descriptors leaked: " + figure)
    try expect(shmAfter == shmBefore, "/dev/shm changed: " + figure)
    try expect(activeChildren().isEmpty, "activeChildren not empty: " + figure)
    return figure
}

// MARK: - A holder killed while holding a primitive

enum Primitive: String { case lock = "Lock", rlock = "RLock", semaphore = "Semaphore", condition = "Condition" }

/// A child takes the primitive and is SIGKILLed 200 ms later (by a second child) while this
/// process is already waiting for it with a 2 s timeout.
func holderKilled(_ kind: Primitive) throws -> String {
    let lock = try Lock()
    let rlock = try RLock()
    let semaphore = try Semaphore(1)
    let condition = try Condition()
    let held = try Event()
    let killedAt = try Value<Int64>(0, lock: false)
    func take(timeout: Double?) throws -> Bool {
        switch kind {
        case .lock: try lock.acquire(timeout: timeout)
        case .rlock: try rlock.acquire(timeout: timeout)
        case .semaphore: try semaphore.acquire(timeout: timeout)
        case .condition: try condition.acquire(timeout: timeout)
        }
    }
    func give() throws {
        switch kind {
        case .lock: try lock.release()
        case .rlock: try rlock.release()
        case .semaphore: try semaphore.release()
        case .condition: try condition.release()
        }
    }
    let holder = Process(name: "holder") {
        if kind == .semaphore {
            // Python's `with semaphore:`: a scoped hold, whose holder is recorded.
            semaphore.withLock {
                held.set()
                while true { pause() }
            }
        }
        _ = try take(timeout: nil)
        if kind == .rlock { _ = try rlock.acquire() }  // held twice: recursion depth 2
        held.set()
        while true { pause() }
    }
    try holder.start()
    try expect(held.wait(timeout: 5), "the holder never took the \(kind.rawValue)")
    let victim = holder.pid ?? 0
    let killer = Process(name: "killer") {
        usleep(200_000)
        killedAt.value = nowNanoseconds()
        kill(victim, SIGKILL)
    }
    try killer.start()
    let timeout = 2.0
    let waitStart = nowNanoseconds()
    var outcome: String
    var told = false
    do {
        let acquired = try take(timeout: timeout)
        outcome = acquired ? "acquired without being told" : "acquire(timeout: \(timeout)) returned false"
        if acquired { try give() }
    } catch SynchronizationError.previousHolderDied(let pid) {
        told = true
        try expect(pid == victim, "told pid \(pid), the holder was \(victim)")
        outcome = "told previousHolderDied(pid: \(pid))"
    }
    let waited = milliseconds(since: waitStart)
    let sinceKill = milliseconds(from: killedAt.value, to: nowNanoseconds())
    try killer.join(timeout: 2)
    try holder.join(timeout: 2)
    try expect(holder.exitCode == -SIGKILL, "holder exit code \(String(describing: holder.exitCode))")
    try expect(waited < (timeout + 0.25) * 1000, "waited \(format(waited)) ms, timeout was \(timeout) s")

    try expect(told, "not told: \(outcome) after \(format(waited)) ms")
    // Afterwards the primitive works again.
    try expect(try take(timeout: 1), "the \(kind.rawValue) is not usable after recovery")
    try give()
    return "\(outcome) \(format(sinceKill)) ms after the SIGKILL (waiter's timeout \(Int(timeout)) s); usable again"
}

// MARK: - Flooding a queue nobody reads

/// A child puts 4 MB into an unbounded queue nobody reads, then exits: Python's
/// "joining processes that use queues" case.
func queueFloodThenExit() throws -> String {
    let queue = try Queue<[UInt8]>()
    let items = 1000
    let item = [UInt8](repeating: 7, count: 4096)
    let child = Process(name: "flooder") {
        for _ in 0..<items { try queue.put(item) }
    }
    try child.start()
    let joinStart = nowNanoseconds()
    try child.join(timeout: 5)
    let joined = milliseconds(since: joinStart)
    try expect(child.exitCode == 0, "join(timeout: 5) left the flooder \(child.isAlive ? "running" : "ended with \(String(describing: child.exitCode))")")
    var received = 0
    while received < items {
        let got = try queue.get(timeout: 2)
        try expect(got == item, "item \(received) corrupted")
        received += 1
    }
    try expect(queue.empty(), "queue not empty after \(items) items")
    return "join returned in \(format(joined)) ms with \(items * item.count / 1000) kB unread (Python would deadlock until drained); all \(received) items read after the exit"
}

/// A child puts 20 MB into an unbounded queue (16 MiB ring): its put blocks once the ring is
/// full, so join(timeout:) sees it alive, exactly Python's documented deadlock; the
/// documented way out, draining the queue before joining, ends it.
func queueFloodFullRing() throws -> String {
    let queue = try Queue<[UInt8]>()
    let items = 5000
    let item = [UInt8](repeating: 9, count: 4096)
    let child = Process(name: "flooder") {
        for index in 0..<items {
            var copy = item
            copy[0] = UInt8(truncatingIfNeeded: index)
            try queue.put(copy)
        }
    }
    try child.start()
    try child.join(timeout: 1)
    let stuck = child.isAlive
    let drainStart = nowNanoseconds()
    var received = 0
    while received < items {
        let got = try queue.get(timeout: 3)
        try expect(got[0] == UInt8(truncatingIfNeeded: received) && got.count == item.count, "item \(received) out of order or corrupted")
        received += 1
    }
    try child.join(timeout: 3)
    let drained = milliseconds(since: drainStart)
    try expect(child.exitCode == 0, "flooder \(child.isAlive ? "still running after the drain" : "ended with \(String(describing: child.exitCode))")")
    try expect(stuck, "the flooder was not blocked with a full ring (ring larger than expected?)")
    return "20 MB into a 16 MiB ring: join(timeout: 1) returned with the flooder blocked in put (Python's documented deadlock); draining \(received) items then join took \(format(drained)) ms"
}

// MARK: - Signals during blocking calls

enum BlockingCall: String {
    case queueGet = "Queue.get", connectionRecv = "Connection.recv", lockAcquire = "Lock.acquire", processJoin = "Process.join"
}

/// SIGINT (a handler installed, no SA_RESTART) sent 8 times at 50 ms intervals, then
/// SIGCHLD from the sender's exit, while this process blocks in `call`.
func signalsDuring(_ call: BlockingCall) throws -> String {
    installCountingHandler(SIGINT)
    installCountingHandler(SIGCHLD)
    defer {
        restoreDefaultHandler(SIGINT)
        restoreDefaultHandler(SIGCHLD)
    }
    let me = getpid()
    let queue = try Queue<Int>()
    let (near, far) = try Pipe()
    let lock = try Lock()
    let ready = try Event()
    let sender = Process(name: "signaller") {
        if call == .lockAcquire { _ = try lock.acquire() }
        ready.set()
        for _ in 0..<8 {
            usleep(50_000)
            kill(me, SIGINT)
        }
        switch call {
        case .queueGet: try queue.put(42)
        case .connectionRecv: try far.send(42)
        case .lockAcquire: try lock.release()
        case .processJoin: break
        }
    }
    signalsHandled = 0
    try sender.start()
    try expect(ready.wait(timeout: 5), "the signaller never started")
    let start = nowNanoseconds()
    var detail = ""
    switch call {
    case .queueGet:
        let value = try queue.get(timeout: 3)
        try expect(value == 42, "got \(value)")
        detail = "got 42"
    case .connectionRecv:
        let value = try near.recv(Int.self)
        try expect(value == 42, "got \(value)")
        detail = "got 42"
    case .lockAcquire:
        let acquired = try lock.acquire(timeout: 3)
        try expect(acquired, "acquire(timeout: 3) returned false")
        try lock.release()
        detail = "acquired"
    case .processJoin:
        try sender.join()
        try expect(sender.exitCode == 0, "exit code \(String(describing: sender.exitCode))")
        detail = "exitCode 0"
    }
    let blocked = milliseconds(since: start)
    try sender.join(timeout: 3)
    let interrupts = signalsHandled
    try expect(interrupts >= 4, "only \(interrupts) signals were handled while blocked")

    // With a timeout and nothing coming: the timeout is kept across interruptions.
    let holding = try Event()
    let quiet = Process(name: "signaller-2") {
        if call == .lockAcquire { _ = try lock.acquire() }
        holding.set()
        for _ in 0..<6 {
            usleep(50_000)
            kill(me, SIGINT)
        }
        usleep(300_000)
        if call == .lockAcquire { try lock.release() }
    }
    try quiet.start()
    try expect(holding.wait(timeout: 5), "the second signaller never started")
    let timedStart = nowNanoseconds()
    var timedOutcome = ""
    switch call {
    case .queueGet:
        do {
            _ = try queue.get(timeout: 0.5)
            throw CaseFailure("get(timeout: 0.5) on an empty queue returned an item")
        } catch QueueError.empty {
            timedOutcome = "get(timeout: 0.5) threw empty"
        }
    case .connectionRecv:
        let ready = try near.poll(timeout: 0.5)
        try expect(!ready, "poll(timeout: 0.5) reported data")
        timedOutcome = "poll(timeout: 0.5) returned false"
    case .lockAcquire:
        let taken = try lock.acquire(timeout: 0.5)
        try expect(!taken, "a lock held by another process was acquired")
        timedOutcome = "acquire(timeout: 0.5) on a held lock returned false"
    case .processJoin:
        let sleeper = Process(name: "sleeper") { usleep(1_500_000) }
        try sleeper.start()
        try sleeper.join(timeout: 0.5)
        try expect(sleeper.isAlive, "the sleeper ended early")
        try sleeper.kill()
        try sleeper.join(timeout: 2)
        timedOutcome = "join(timeout: 0.5) returned with the child alive"
    }
    let timed = milliseconds(since: timedStart)
    try quiet.join(timeout: 3)
    try expect(timed >= 490 && timed < 1500, "\(timedOutcome) after \(format(timed)) ms (expected 500: the timeout is kept, not restarted per signal)")
    try near.close()
    try far.close()
    return "retried through \(interrupts) handled signals: \(detail) after \(format(blocked, digits: 0)) ms; \(timedOutcome) after \(format(timed, digits: 0)) ms"
}
