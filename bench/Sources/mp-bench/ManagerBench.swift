import Multiprocessing

/// Manager workloads (issue 4): proxies forwarding to a manager's server process.
enum ManagerBench {
    static let workloads = [
        Workload(name: "manager-dict") { try dictPairs() }
    ]

    /// Python's `d[i] = i; assert d[i] == i` through `Manager().dict()`, from the owner process;
    /// set+get pairs per second.
    static func dictPairs(pairs: Int = 20_000) throws {
        try withManager { manager in
            let d = try manager.dict(Int.self, Int.self)
            try d.set(-1, to: -1)  // the connection is made on first use
            let t0 = now()
            for i in 0..<pairs {
                try d.set(i, to: i)
                try check(try d[i] == i, "d[\(i)] came back wrong")
            }
            let elapsed = now() - t0
            try check(try d.count == pairs + 1, "the dictionary has the wrong number of entries")
            emit(Double(pairs) / elapsed, "pairs/s")
        }
    }
}
