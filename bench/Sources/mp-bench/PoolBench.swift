import Glibc
import Multiprocessing

/// Pool workloads (issue 3).
enum PoolBench {
    static let workloads = [
        Workload(name: "pool-map") { try map() },
        Workload(name: "pool-imap1") { try imapChunk1() },
        Workload(name: "pool-apply-async") { try applyAsyncStorm() },
        Workload(name: "executor-submit") { try submitStorm() },
        Workload(name: "cpu-speedup") { try cpuSpeedup() },
        Workload(name: "pool-create") { try createMapClose() },
        Workload(name: "pool-map-loop") { try mapLoop() },
        Workload(name: "pool-apply-loop") { try applyLoop() },
        Workload(name: "spawn-pool-create") { try spawnCreate() },
    ]

    /// 1,000 successive maps of 8 items on Pool(4), a named task: calls per second.
    static func mapLoop(calls: Int = 1_000) throws {
        try withPool(processes: 4) { pool in
            _ = try pool.map(SquareTask(), 0..<8)
            let t0 = now()
            var total = 0
            for _ in 0..<calls { total &+= try pool.map(SquareTask(), 0..<8).reduce(0, &+) }
            let elapsed = now() - t0
            try check(total == calls * 140, "wrong map total \(total)")
            emit(Double(calls) / elapsed, "calls/s")
        }
    }

    /// 1,000 successive applies on Pool(4), a named task: calls per second.
    static func applyLoop(calls: Int = 1_000) throws {
        try withPool(processes: 4) { pool in
            _ = try pool.apply(SquareTask(), 1)
            let t0 = now()
            var total = 0
            for i in 0..<calls { total &+= try pool.apply(SquareTask(), i) }
            let elapsed = now() - t0
            try check(total == sumOfSquares(calls), "wrong apply total \(total)")
            emit(Double(calls) / elapsed, "calls/s")
        }
    }

    /// Pool(1) under spawn: create, apply once, close, join; milliseconds per round.
    static func spawnCreate(rounds: Int = 5) throws {
        let t0 = now()
        for _ in 0..<rounds {
            let pool = try Pool(processes: 1, context: getContext(.spawn))
            let result = try pool.apply(SquareTask(), 3)
            pool.close()
            try pool.join()
            try check(result == 9, "wrong apply result")
        }
        emit((now() - t0) / Double(rounds) * 1e3, "ms")
    }

    /// Pool(2).map over tiny items with the default chunk size; tasks per second. The map is
    /// short (milliseconds), so each run times five and reports the median.
    static func map(count: Int = 200_000, rounds: Int = 5) throws {
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<100, square)
            var times: [Double] = []
            for _ in 0..<rounds {
                let t0 = now()
                let result = try pool.map(0..<count, square)
                times.append(now() - t0)
                try check(result.count == count && result[count - 1] == (count - 1) * (count - 1), "wrong map result")
            }
            emit(Double(count) / times.sorted()[rounds / 2], "tasks/s")
        }
    }

    /// imap with chunk size 1, results consumed in order; tasks per second.
    static func imapChunk1(count: Int = 20_000) throws {
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<100, square)
            let t0 = now()
            var total = 0
            for result in try pool.imap(0..<count, chunkSize: 1, square) { total &+= try result.get() }
            let elapsed = now() - t0
            try check(total == sumOfSquares(count), "wrong imap total \(total)")
            emit(Double(count) / elapsed, "tasks/s")
        }
    }

    /// A storm of applyAsync calls, then every result; tasks per second.
    static func applyAsyncStorm(count: Int = 20_000) throws {
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<100, square)
            let t0 = now()
            let results = try (0..<count).map { i in try pool.applyAsync { i &* i } }
            var total = 0
            for result in results { total &+= try result.get() }
            let elapsed = now() - t0
            try check(total == sumOfSquares(count), "wrong applyAsync total \(total)")
            emit(Double(count) / elapsed, "tasks/s")
        }
    }

    /// A storm of ProcessPoolExecutor(2).submit calls, then every result; tasks per second.
    static func submitStorm(count: Int = 20_000) throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            _ = try executor.submit { 1 }.result()
            let t0 = now()
            let futures = try (0..<count).map { i in try executor.submit { i &* i } }
            var total = 0
            for future in futures { total &+= try future.result() }
            let elapsed = now() - t0
            try check(total == sumOfSquares(count), "wrong submit total \(total)")
            emit(Double(count) / elapsed, "tasks/s")
        }
    }

    /// The same CPU-bound tasks serially and on Pool(2); serial time / pool time. Sized so
    /// the serial run takes well over 0.3 s.
    static func cpuSpeedup(tasks: Int = 8, steps: Int = 25_000_000) throws {
        let inputs = (0..<tasks).map { steps + $0 }
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<10, square)
            let t0 = now()
            let serial = inputs.map(spin)
            let t1 = now()
            let parallel = try pool.map(inputs, chunkSize: 1) { spin($0) }
            let t2 = now()
            try check(serial == parallel, "serial and pool results differ")
            if t1 - t0 < 0.3 { printError("cpu-speedup: serial run took only \(t1 - t0) s") }
            if getenv("MP_BENCH_VERBOSE") != nil { printError("serial \(t1 - t0) s, pool \(t2 - t1) s") }
            emit((t1 - t0) / (t2 - t1), "x", detail: ["serial_s": t1 - t0, "pool_s": t2 - t1])
        }
    }

    /// Create Pool(2), map 10 tiny items, close and join; milliseconds per round. The task is
    /// named, as Python's `square` is passed by name: a closure would cost a second round of
    /// forks (the workers started with the pool do not have it).
    static func createMapClose(rounds: Int = 20) throws {
        let t0 = now()
        for _ in 0..<rounds {
            let pool = try Pool(processes: 2)
            let result = try pool.map(SquareTask(), 0..<10)
            pool.close()
            try pool.join()
            try check(result == (0..<10).map { $0 * $0 }, "wrong map result")
        }
        emit((now() - t0) / Double(rounds) * 1e3, "ms")
    }

    /// CPU-bound task: a 64-bit linear congruential step followed by an xor-shift, `steps`
    /// times (the shift keeps the optimizer from collapsing the loop into a closed form).
    @inline(never)
    static func spin(_ steps: Int) -> Int {
        var x = UInt64(steps)
        for _ in 0..<steps {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            x ^= x >> 29
        }
        return Int(truncatingIfNeeded: x)
    }

    /// The tiny task: one multiplication. Named, so the element type is always Int.
    @Sendable static func square(_ x: Int) -> Int { x &* x }

    static func sumOfSquares(_ count: Int) -> Int {
        (0..<count).reduce(0) { $0 &+ $1 &* $1 }
    }
}

/// The tiny task as a named task: workers find it by name, so they live as long as the pool.
struct SquareTask: PoolTask {
    func callAsFunction(_ x: Int) -> Int { x &* x }
}
