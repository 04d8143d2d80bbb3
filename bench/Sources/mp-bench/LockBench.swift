import Multiprocessing

/// Shared-counter workloads (issue 2): two processes increment one shared `Value` under a
/// process-shared lock.
enum LockBench {
    static let workloads = [
        Workload(name: "locked-counter") { try valueUnderItsLock() },
        Workload(name: "locked-counter-raw") { try rawValueUnderLock() },
    ]

    /// Python's `with counter.get_lock(): counter.value += 1`: the value's own recursive lock
    /// around the update (each get and set re-enters it); increments per second.
    static func valueUnderItsLock(perProcess: Int = 2_000_000) throws {
        let counter = try Value<Int32>(0)
        let lock = counter.getLock()
        try race(perProcess: perProcess, total: { counter.value }) {
            lock.withLock { counter.value += 1 }
        }
    }

    /// `Value(lock: false)` (a raw value) guarded by a separate `Lock`; increments per second.
    static func rawValueUnderLock(perProcess: Int = 2_000_000) throws {
        let counter = try Value<Int32>(0, lock: false)
        let lock = try Lock()
        try race(perProcess: perProcess, total: { counter.value }) {
            lock.withLock { counter.value += 1 }
        }
    }

    /// Two children run `increment` `perProcess` times each, released together.
    static func race(perProcess: Int, total: () -> Int32, increment: @escaping () throws -> Void) throws {
        let go = try Event()
        let children = (0..<2).map { _ in
            Process {
                _ = go.wait()
                for _ in 0..<perProcess { try increment() }
            }
        }
        for child in children { try child.start() }
        let t0 = now()
        go.set()
        for child in children { try child.join() }
        let elapsed = now() - t0
        for child in children { try check(child.exitCode == 0, "a child failed") }
        try check(total() == Int32(2 * perProcess), "counter \(total()), expected \(2 * perProcess)")
        emit(Double(2 * perProcess) / elapsed, "ops/s")
    }
}
