import Multiprocessing

/// Runs many jobs at once.
///
/// ``PoolScheduler`` (the default) uses the library's own `Pool`; ``ProcessFanOut`` uses plain
/// `Process` objects; ``SerialScheduler`` runs in this process.
public protocol JobScheduler {
    /// Runs every job; `report` is called in the calling process as each one finishes, with
    /// its index in `jobs`. Returns the results in job order.
    func run(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult]
}

/// Runs each job in a child `Process` (forked), at most `width` at a time; a child sends its
/// result back through a file in a private temporary directory.
public struct ProcessFanOut: JobScheduler {
    /// How many jobs run at once.
    public var width: Int

    /// Creates a scheduler running `width` jobs at once (by default ``PoolScheduler/defaultWidth``).
    public init(width: Int = PoolScheduler.defaultWidth) { self.width = max(1, width) }

    public func run(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        var results = [RunResult?](repeating: nil, count: jobs.count)
        guard let directory = try? FileSystem.makeTemporaryDirectory(prefix: "learn-mp-results") else {
            return jobs.map { Runner.failed($0, "cannot create a temporary directory for results") }
        }
        defer { FileSystem.removeTree(directory) }
        Interrupts.prepare()
        var running: [(index: Int, process: Multiprocessing.Process)] = []
        var next = 0
        while next < jobs.count || !running.isEmpty {
            while running.count < width, next < jobs.count {
                let index = next
                let job = jobs[index]
                let file = "\(directory)/\(index).json"
                let process = Multiprocessing.Process(name: "verify-\(job.demo)") {
                    let result = Runner.run(job)
                    try FileSystem.writeText(ResultCoding.encode(result), to: file)
                }
                do {
                    try process.start()
                    running.append((index, process))
                } catch {
                    results[index] = Runner.failed(job, "cannot start a runner process: \(error)")
                    report(index, results[index]!)
                }
                next += 1
            }
            guard !running.isEmpty else { continue }
            waitForAny(running.map(\.process))
            var still: [(index: Int, process: Multiprocessing.Process)] = []
            for entry in running {
                if entry.process.isAlive { still.append(entry); continue }
                try? entry.process.join()
                let file = "\(directory)/\(entry.index).json"
                let result = (try? FileSystem.readText(file)).flatMap { ResultCoding.decode(RunResult.self, $0) }
                    ?? Runner.failed(jobs[entry.index], "the runner process ended without a result (exit code \(entry.process.exitCode.map(String.init) ?? "?"))")
                results[entry.index] = result
                report(entry.index, result)
                try? entry.process.close()
            }
            running = still
        }
        return results.map { $0! }
    }

    /// Blocks until one of `processes` ends (their sentinels become readable).
    private func waitForAny(_ processes: [Multiprocessing.Process]) {
        let sentinels = processes.compactMap(\.sentinel)
        if sentinels.isEmpty { return }
        _ = system_pollReadable(sentinels, milliseconds: 1000)
    }
}

/// Runs jobs one after another in this process.
public struct SerialScheduler: JobScheduler {
    /// Creates the scheduler.
    public init() {}

    public func run(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        jobs.enumerated().map { index, job in
            let result = Runner.run(job)
            report(index, result)
            return result
        }
    }
}

/// Runs jobs on the library's own `Pool` (`imapUnordered`), `width` workers at a time: what
/// `learn-mp verify` uses.
public struct PoolScheduler: JobScheduler {
    /// How many jobs run at once.
    public var width: Int

    /// The default width: eight programs per CPU. Lesson programs spend most of their time
    /// sleeping or waiting for their children, so running many at once keeps the wall time of
    /// `verify all` close to that of its longest program.
    public static var defaultWidth: Int { cpuCount() * 8 }

    /// Creates a scheduler running `width` jobs at once.
    public init(width: Int = PoolScheduler.defaultWidth) { self.width = max(1, width) }

    /// A result with the index of its job (results arrive in completion order).
    struct Indexed: Codable {
        var index: Int
        var result: RunResult
    }

    /// Runs the jobs on the pool, except those that need a quiet machine (``RunJob/needsQuietMachine``:
    /// a fact about wall time or CPU): they run afterwards, one at a time, with nothing beside them.
    public func run(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        let shared = jobs.indices.filter { !jobs[$0].needsQuietMachine }
        var results = [RunResult?](repeating: nil, count: jobs.count)
        let sharedResults = runShared(shared.map { jobs[$0] }) { offset, result in report(shared[offset], result) }
        for (index, result) in zip(shared, sharedResults) { results[index] = result }
        for index in jobs.indices where jobs[index].needsQuietMachine {
            results[index] = Runner.run(jobs[index])
            report(index, results[index]!)
        }
        return results.map { $0! }
    }

    private func runShared(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        guard !jobs.isEmpty else { return [] }
        var results = [RunResult?](repeating: nil, count: jobs.count)
        var failure = "no result came back"
        // Results cross the pool as JSON text (a String is the codec's simplest case). Encode
        // and decode once here first, so the workers, forked from a process with threads, find
        // the coding machinery already set up instead of creating it after the fork.
        if let warm = try? ResultCoding.encode(Indexed(index: 0, result: Runner.failed(jobs[0], "warm-up"))) {
            _ = ResultCoding.decode(Indexed.self, warm)
        }
        Interrupts.prepare()
        do {
            try withPool(processes: min(width, jobs.count)) { pool in
                let stream = try pool.imapUnordered(Array(jobs.indices)) { index -> String in
                    try ResultCoding.encode(Indexed(index: index, result: Runner.run(jobs[index])))
                }
                while true {
                    do {
                        guard let text = try stream.next(timeout: nil) else { break }
                        guard let item = ResultCoding.decode(Indexed.self, text) else {
                            failure = "a result could not be decoded"
                            continue
                        }
                        results[item.index] = item.result
                        report(item.index, item.result)
                    } catch {
                        // A worker that died takes only its own job with it; keep collecting.
                        failure = "\(error)"
                    }
                }
            }
        } catch {
            failure = "\(error)"
        }
        for index in jobs.indices where results[index] == nil {
            results[index] = Runner.failed(jobs[index], "the pool could not run it: \(failure)")
            report(index, results[index]!)
        }
        return results.map { $0! }
    }
}
