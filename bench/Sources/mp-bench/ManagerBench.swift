import Glibc
import Multiprocessing

/// Manager dictionary throughput: `pairs` rounds of `d[i] = i` then `d[i]` through a proxy,
/// from the owner process to the manager's server process. Returns set+get pairs per second.
func benchManagerDictPairs(pairs: Int = 20_000) throws -> Double {
    try withManager { manager in
        let d = try manager.dict(Int.self, Int.self)
        for i in 0..<1_000 { try d.set(i, to: i) }  // warm up the connection
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        for i in 0..<pairs {
            try d.set(i, to: i)
            guard try d[i] == i else { fatalError("manager dict returned a wrong value") }
        }
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        return Double(pairs) / seconds
    }
}
