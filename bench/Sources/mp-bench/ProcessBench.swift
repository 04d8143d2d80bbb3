import Multiprocessing

/// Process workloads (issue 2).
enum ProcessBench {
    static let workloads = [
        Workload(name: "process-start") { try startJoin() },
    ]

    /// Start and join a process that does nothing; milliseconds per cycle.
    static func startJoin(count: Int = 500) throws {
        for _ in 0..<10 { try cycle() }
        let t0 = now()
        for _ in 0..<count { try cycle() }
        emit((now() - t0) / Double(count) * 1e3, "ms")
    }

    /// One start+join of an empty child, checking it ended cleanly.
    static func cycle() throws {
        let process = Process {}
        try process.start()
        try process.join()
        try check(process.exitCode == 0, "exit code \(String(describing: process.exitCode))")
    }
}
