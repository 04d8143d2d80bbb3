import Multiprocessing

/// Runs many jobs at once.
///
/// ``ThreadScheduler`` (the default) runs jobs on threads; ``ProcessFanOut`` runs each in a
/// forked `Process`; ``SerialScheduler`` runs them one after another in this process.
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

    /// Creates a scheduler running `width` jobs at once (by default ``ThreadScheduler/defaultWidth``).
    public init(width: Int = ThreadScheduler.defaultWidth) { self.width = max(1, width) }

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

/// Runs jobs on threads of this process, `width` at a time: what `learn-mp verify` uses.
///
/// Each job already runs its program with `posix_spawn`, which is safe from a threaded parent,
/// so threads are all the parallelism needed; nothing is forked into code that could meet a
/// lock another thread held at the fork. The whole run has a deadline: a job still running
/// when it passes is reported as failed, so `verify` never waits for ever on one job.
public struct ThreadScheduler: JobScheduler {
    /// How many jobs run at once.
    public var width: Int
    /// Seconds the whole run may take; nil: ``deadline(for:width:)``.
    public var deadline: Double?

    /// The default width: eight programs per CPU. Lesson programs spend most of their time
    /// sleeping or waiting for their children, so running many at once keeps the wall time of
    /// `verify all` close to that of its longest program.
    public static var defaultWidth: Int { cpuCount() * 8 }

    /// Creates a scheduler running `width` jobs at once, all within `deadline` seconds.
    public init(width: Int = ThreadScheduler.defaultWidth, deadline: Double? = nil) {
        self.width = max(1, width)
        self.deadline = deadline
    }

    /// The time the jobs could take if each ran to its own time limit, `width` at a time, plus
    /// a minute for building working directories and reading results.
    public static func deadline(for jobs: [RunJob], width: Int) -> Double {
        let limits = jobs.map(\.timeout)
        return (limits.max() ?? 0) + limits.reduce(0, +) / Double(max(1, width)) + 60
    }

    /// The jobs' shared state: the next job to start and the results not yet reported.
    private final class Board: @unchecked Sendable {
        let monitor = ThreadMonitor()
        var next = 0
        var finished: [(Int, RunResult)] = []
    }

    /// Runs the jobs in two phases: first every job without a fact about wall time or CPU,
    /// then those with one (``RunJob/needsQuietMachine``), together but with nothing else beside
    /// them. Their programs mostly sleep or wait (a pool of sleeping tasks, futures completing
    /// in turn), so running them side by side keeps their times; running them beside the other
    /// jobs' builds of working directories and CPU-bound demos would not.
    public func run(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        var results = [RunResult?](repeating: nil, count: jobs.count)
        for quiet in [false, true] {
            let phase = jobs.indices.filter { jobs[$0].needsQuietMachine == quiet }
            let phaseResults = runShared(phase.map { jobs[$0] }) { offset, result in report(phase[offset], result) }
            for (index, result) in zip(phase, phaseResults) { results[index] = result }
        }
        return results.map { $0! }
    }

    private func runShared(_ jobs: [RunJob], report: (Int, RunResult) -> Void) -> [RunResult] {
        guard !jobs.isEmpty else { return [] }
        Interrupts.prepare()
        let board = Board()
        let end = monotonicSeconds() + (deadline ?? Self.deadline(for: jobs, width: width))
        var started = 0
        for _ in 0..<min(width, jobs.count) {
            let running = startDetachedThread {
                while let index = board.monitor.withLock({ () -> Int? in
                    guard board.next < jobs.count else { return nil }
                    defer { board.next += 1 }
                    return board.next
                }) {
                    let result = Runner.run(jobs[index])
                    board.monitor.withLock { board.finished.append((index, result)) }
                    board.monitor.broadcast()
                }
            }
            if running { started += 1 }
        }
        if started == 0 { return SerialScheduler().run(jobs, report: report) }
        var results = [RunResult?](repeating: nil, count: jobs.count)
        var reported = 0
        while reported < jobs.count {
            let batch = board.monitor.withLock { () -> [(Int, RunResult)]? in
                while board.finished.isEmpty {
                    if !board.monitor.wait(until: end) { return nil }
                }
                defer { board.finished = [] }
                return board.finished
            }
            guard let batch else { break }
            for (index, result) in batch {
                results[index] = result
                report(index, result)
                reported += 1
            }
        }
        // The deadline passed: what has not come back fails (its thread is left to finish on
        // its own; each program is killed at its own time limit).
        let limit = Int((deadline ?? Self.deadline(for: jobs, width: width)).rounded())
        board.monitor.withLock { board.next = jobs.count }
        for index in jobs.indices where results[index] == nil {
            results[index] = Runner.failed(jobs[index], "verify's overall deadline (\(limit) s) passed before this job finished")
            report(index, results[index]!)
        }
        return results.map { $0! }
    }
}
