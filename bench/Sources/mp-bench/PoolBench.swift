import Glibc
import Multiprocessing

/// Pool and ProcessPoolExecutor benchmarks: the same work as bench/*.py does with Python's
/// `multiprocessing.Pool` and `concurrent.futures.ProcessPoolExecutor`.
enum PoolBench {
    /// One measured case: its name, the rate or time, and the unit.
    struct Measurement {
        let name: String
        let value: Double
        let unit: String
    }

    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The median of `runs` timings of `body` (seconds).
    static func median(runs: Int = 5, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = seconds()
            try body()
            times.append(seconds() - start)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// CPU-bound work for the speedup case.
    @inline(never)
    static func spin(_ seed: Int, _ rounds: Int) -> Int {
        var x = UInt64(truncatingIfNeeded: seed) &+ 0x9E37_79B9_7F4A_7C15
        for _ in 0..<rounds {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
        }
        return Int(truncatingIfNeeded: x & 0xFFFF)
    }

    static func run() throws -> [Measurement] {
        var results: [Measurement] = []

        // Pool(2).map over 200,000 tiny items.
        let mapItems = 200_000
        let mapTime = try withPool(processes: 2) { pool in
            try median { _ = try pool.map(0..<mapItems) { $0 &* 2 } }
        }
        results.append(Measurement(name: "pool.map 200k tiny items", value: Double(mapItems) / mapTime, unit: "tasks/s"))

        // imap, chunk size 1, over 20,000 items.
        let imapItems = 20_000
        let imapTime = try withPool(processes: 2) { pool in
            try median {
                var total = 0
                for value in try pool.imap(0..<imapItems, chunkSize: 1, { $0 &+ 1 }) { total &+= value }
                precondition(total > 0)
            }
        }
        results.append(Measurement(name: "pool.imap chunk 1, 20k items", value: Double(imapItems) / imapTime, unit: "tasks/s"))

        // 20,000 applyAsync calls, then every result.
        let applyCount = 20_000
        let applyTime = try withPool(processes: 2) { pool in
            try median {
                let pending = try (0..<applyCount).map { i in try pool.applyAsync { i &* 3 } }
                for result in pending { _ = try result.get() }
            }
        }
        results.append(Measurement(name: "pool.applyAsync x20k", value: Double(applyCount) / applyTime, unit: "tasks/s"))

        // 20,000 executor submits, then every result.
        let submitTime = try withProcessPoolExecutor(maxWorkers: 2) { executor in
            try median {
                let futures = try (0..<applyCount).map { i in try executor.submit { i &* 3 } }
                for future in futures { _ = try future.result() }
            }
        }
        results.append(Measurement(name: "executor.submit x20k", value: Double(applyCount) / submitTime, unit: "tasks/s"))

        // CPU-bound speedup on 2 workers.
        let jobs = 8
        let rounds = 12_000_000
        let serial = median(runs: 3) {
            var total = 0
            for seed in 0..<jobs { total &+= spin(seed, rounds) }
            precondition(total != -1)
        }
        let parallel = try withPool(processes: 2) { pool in
            try median(runs: 3) { _ = try pool.map(0..<jobs, chunkSize: 1) { spin($0, rounds) } }
        }
        results.append(Measurement(name: "cpu-bound speedup, 2 workers (serial \(Int(serial * 1000)) ms)", value: serial / parallel, unit: "x"))

        // Pool create + map + close (+ join).
        let lifecycle = try median(runs: 21) {
            let pool = try Pool(processes: 2)
            _ = try pool.map(0..<100) { $0 &+ 1 }
            pool.close()
            try pool.join()
        }
        results.append(Measurement(name: "pool create+map+close", value: lifecycle * 1000, unit: "ms"))
        return results
    }
}
