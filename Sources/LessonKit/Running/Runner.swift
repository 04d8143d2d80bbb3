import Multiprocessing

/// Runs one ``RunJob`` in a fresh temporary directory with a fixed environment, and checks it.
public enum Runner {
    /// The environment every program gets: nothing else is inherited (in particular not
    /// `PYTHONUNBUFFERED`, which makes Python print text and newline separately, so lines of
    /// several processes merge).
    public static func environment(trace: String?) -> [String: String] {
        var environment = [
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "COLUMNS": "80",
            "NO_COLOR": "1",
            "PATH": environmentValue("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": environmentValue("HOME") ?? "/",
        ]
        if let trace { environment["LEARN_MP_TRACE"] = trace }
        return environment
    }

    /// Runs `job` and checks its output.
    ///
    /// - Parameters:
    ///   - job: the program to run and what it must print.
    ///   - onOutput: receives the program's standard output as it arrives.
    public static func run(_ job: RunJob, onOutput: ((String) -> Void)? = nil) -> RunResult {
        let scratch: String
        do {
            scratch = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-\(job.demo)")
        } catch {
            return failed(job, "cannot create a working directory: \(error)")
        }
        defer { FileSystem.removeTree(scratch) }
        let work = scratch + "/work"
        var arguments: [String] = []
        // Every run is traced: the Swift library writes the trace itself, the Python and
        // Node.js programs through the hooks put beside them, and the observer adds the
        // kernel's view of every process and thread.
        let trace = scratch + "/trace.jsonl"
        var hookEnvironment: [String: String] = [:]
        do {
            try FileSystem.makeDirectories(work)
            for file in job.files {
                let path = work + "/" + file.name
                if let slash = path.lastIndex(of: "/") { try FileSystem.makeDirectories(String(path[..<slash])) }
                try FileSystem.writeText(file.contents, to: path)
            }
            if let script = job.script {
                // Outside the working directory, so a sample that lists its directory sees only its files.
                let path = scratch + (job.runtime == .python ? "/main.py" : "/main.js")
                try FileSystem.writeText(script, to: path)
                arguments = [path]
                hookEnvironment = try RuntimeHooks.install(for: job.runtime, in: scratch + "/hooks")
            }
        } catch {
            return failed(job, "cannot prepare the working directory: \(error)")
        }
        let request = SpawnRequest(executable: job.executable, arguments: arguments,
                                   environment: environment(trace: trace).merging(hookEnvironment) { $1 },
                                   directory: work, timeout: job.timeout, outputLimit: job.outputLimit)
        var observer: ProcessObserver?
        let spawn = Spawn.run(request, onOutput: onOutput) { pid in
            if observer == nil { observer = ProcessObserver(root: pid) }
            observer?.sample()
        }
        let observed = observer?.events(termination: spawn.termination).map(\.line).joined() ?? ""
        let traceText = ((try? FileSystem.readText(trace)) ?? "") + observed
        return check(job, spawn, trace: traceText)
    }

    /// Judges a finished run.
    public static func check(_ job: RunJob, _ spawn: SpawnResult, trace: String = "") -> RunResult {
        var problems: [String] = []
        if spawn.timedOut {
            problems.append("hang: still running after \(format(job.timeout)) s; its process group was killed (raise the limit with timeout=N on the output block if it is just slow)")
        } else if spawn.flooded {
            problems.append("flood: more than \(job.outputLimit) bytes of output; its process group was killed")
        } else {
            switch spawn.termination {
            case .failedToStart(let reason):
                let hint = job.runtime == .swift ? "" : " (is \(job.executable) installed? `make deps` installs what is missing)"
                problems.append("not started: \(reason)" + hint)
            case .signaled:
                problems.append("crash: \(spawn.termination)")
            case .exited(let code) where code != job.expectedExit:
                problems.append("exit code \(code), expected \(job.expectedExit)" + (job.expectedExit == 0 ? "" : " (exit=\(job.expectedExit))"))
            case .exited:
                break
            }
        }
        if !spawn.leftRunning.isEmpty {
            let count = spawn.leftRunning.count
            problems.append("left running: \(count) process\(count == 1 ? "" : "es") it started outlived it and \(count == 1 ? "was" : "were") killed (\(spawn.leftRunning.joined(separator: ", "))). A program must wait for every process it starts (join() / wait()) before it exits")
        }
        var diff = ""
        var captures = ""
        var unchecked: [String] = []
        if !spawn.timedOut, !spawn.flooded, case .exited = spawn.termination {
            do {
                let match = try OutputMatcher.match(expected: job.expected, actual: spawn.stdout)
                captures = match.captures.description
                if !match.matched {
                    problems.append("output does not match the expected block")
                    diff = match.diff
                }
            } catch {
                problems.append("expected output: \(error)")
            }
            let facts = FactChecker.check(job.facts, RunEvidence(spawn: spawn, trace: trace, runtime: job.runtime),
                                           runtime: job.runtime, title: job.title)
            problems += facts.failures
            unchecked = facts.unchecked
        }
        return RunResult(job: job, spawn: spawn, passed: problems.isEmpty, problems: problems, diff: diff,
                         captures: captures, trace: trace, unchecked: unchecked)
    }

    static func failed(_ job: RunJob, _ reason: String) -> RunResult {
        let spawn = SpawnResult(stdout: "", stderr: "", termination: .failedToStart(reason), seconds: 0, timedOut: false, flooded: false)
        return RunResult(job: job, spawn: spawn, passed: false, problems: [reason], diff: "", captures: "", trace: "")
    }
}

/// `1`, `0.5`, `2.25`: a number of seconds without a useless fraction.
func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// `0.42 s`, `1.3 s`, `85 ms`.
public func formatDuration(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
    return "\(Double(Int(seconds * 100)) / 100) s"
}
