import Multiprocessing

/// Tracing workloads (issue 7). run.py runs each alternately with `LEARN_MP_TRACE` unset and
/// set to a file, and counts the lines written, to show tracing costs nothing when off.
enum TraceBench {
    static let workloads = [
        // The same work as process-start: two trace events per cycle when on.
        Workload(name: "trace-process") { try ProcessBench.startJoin() },
        // Pool(2).map with chunk size 1: two trace events per task when on.
        Workload(name: "trace-pool") { try poolMapChunk1() },
        // Value(lock: false) under a Lock: two hold events per increment when on.
        Workload(name: "trace-lock") { try LockBench.rawValueUnderLock() },
    ]

    /// Pool(2).map over 20,000 tiny items, one task each; tasks per second.
    static func poolMapChunk1(count: Int = 20_000) throws {
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<100, PoolBench.square)
            let t0 = now()
            let result = try pool.map(0..<count, chunkSize: 1, PoolBench.square)
            let elapsed = now() - t0
            try check(result.count == count, "wrong map result")
            emit(Double(count) / elapsed, "tasks/s")
        }
    }
}
