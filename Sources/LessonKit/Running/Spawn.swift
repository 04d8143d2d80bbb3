import Glibc

// MARK: - Requests and results

/// How a spawned program ended.
public enum Termination: Sendable, Equatable, Codable, CustomStringConvertible {
    /// It called `exit(code)`.
    case exited(Int32)
    /// It was killed by a signal.
    case signaled(Int32)
    /// It could not be started (the reason).
    case failedToStart(String)

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal): "killed by signal \(signal) (\(signalName(signal)))"
        case .failedToStart(let reason): "could not start: \(reason)"
        }
    }
}

/// The name of a signal, `SIGSEGV` for 11.
public func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
                                  SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
                                  SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM"]
    return names[signal] ?? "signal \(signal)"
}

/// A program to run: in its own process group, with a fixed environment, a working directory,
/// a time limit and an output limit.
public struct SpawnRequest: Sendable {
    /// The program: a path, or a name looked up in `PATH`.
    public var executable: String
    /// The arguments after the program name.
    public var arguments: [String]
    /// The whole environment of the program; nil inherits the caller's.
    public var environment: [String: String]?
    /// The working directory; nil keeps the caller's.
    public var directory: String?
    /// Seconds before the program's process group is killed; nil waits forever.
    public var timeout: Double?
    /// Bytes of standard output (and, separately, standard error) kept before the process group is
    /// killed as a flood.
    public var outputLimit: Int

    /// Creates a request.
    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil,
                directory: String? = nil, timeout: Double? = nil, outputLimit: Int = 1 << 20) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.timeout = timeout
        self.outputLimit = outputLimit
    }
}

/// What a spawned program did.
public struct SpawnResult: Sendable, Codable, Equatable {
    /// Standard output (at most the output limit).
    public var stdout: String
    /// Standard error (at most the output limit).
    public var stderr: String
    /// How it ended (after a timeout or flood: killed by `SIGKILL`).
    public var termination: Termination
    /// Wall-clock seconds from start to the program's end (not counting the clean-up after it).
    public var seconds: Double
    /// It was still running at the time limit.
    public var timedOut: Bool
    /// It wrote more than the output limit.
    public var flooded: Bool
    /// The processes it started that were still running after it ended (and a grace period)
    /// and had to be killed, as `pid name`; empty when it cleaned up after itself.
    public var leftRunning: [String] = []
    /// For each line of ``stdout``: seconds from the start until its newline arrived.
    public var lineSeconds: [Double] = []
    /// CPU seconds (user + system) of the program and the children it reaped; nil when unknown.
    public var cpuSeconds: Double? = nil
}

// MARK: - Spawning

/// Starts programs (fork and exec from C, so the child can be set up between the two), collects
/// their output through pipes and reaps them.
///
/// The program leads a new process group and gets SIGKILL when the thread that started it ends
/// (`PR_SET_PDEATHSIG`; ``run(_:onOutput:onPoll:)`` blocks that thread until the program is reaped, so
/// the signal comes only when the runner itself dies). While it runs, this process is a child
/// subreaper, so the orphans the program leaves are re-parented here instead of to init. When
/// the program ends, hangs or floods, every descendant is killed, whatever its session or
/// process group (see `ProcessTable.descendants(of:since:in:)`), and reaped; those still
/// running after the program ended are reported in ``SpawnResult/leftRunning``.
public enum Spawn {
    /// Seconds after the program's end in which the processes it started may still finish on
    /// their own (a runtime's helper that exits once its pipe closes).
    static let grace = 2.0

    /// Runs `request` to completion.
    ///
    /// - Parameters:
    ///   - request: the program, its arguments, environment and limits.
    ///   - onOutput: called with each chunk of standard output as it arrives.
    ///   - onPoll: called with the program's pid every 10 ms or sooner while it runs, and once
    ///     more before what is left of it is killed (a ``ProcessObserver`` samples there).
    public static func run(_ request: SpawnRequest, onOutput: ((String) -> Void)? = nil,
                           onPoll: ((pid_t) -> Void)? = nil) -> SpawnResult {
        let started = system_monotonicSeconds()
        let bootStarted = system_bootSeconds()
        func failure(_ reason: String) -> SpawnResult {
            SpawnResult(stdout: "", stderr: "", termination: .failedToStart(reason), seconds: 0, timedOut: false, flooded: false)
        }
        Interrupts.prepare()
        let out: (read: Int32, write: Int32), err: (read: Int32, write: Int32)
        switch system_pipe() {
        case .success(let pipe): out = pipe
        case .failure(let error): return failure("\(error)")
        }
        switch system_pipe() {
        case .success(let pipe): err = pipe
        case .failure(let error):
            system_close(out.read); system_close(out.write)
            return failure("\(error)")
        }
        let environment = request.environment.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
            ?? system_environment()
        let search = request.environment.map { $0["PATH"] } ?? system_environmentValue("PATH")
        guard let executable = resolve(request.executable, path: search ?? "/usr/bin:/bin") else {
            system_close(out.read); system_close(out.write); system_close(err.read); system_close(err.write)
            return failure("\(request.executable): not found in PATH")
        }
        system_holdChildSubreaper(true)
        defer { system_holdChildSubreaper(false) }
        let spawned = system_spawn(path: executable,
                                   arguments: [request.executable] + request.arguments, environment: environment,
                                   directory: request.directory, stdout: out.write, stderr: err.write)
        system_close(out.write)
        system_close(err.write)
        let pid: Int32
        switch spawned {
        case .success(let child): pid = child
        case .failure(let error):
            system_close(out.read); system_close(err.read)
            if error.step == "chdir" { return failure("cannot enter \(request.directory ?? "."): \(system_describe(error.errno))") }
            return failure("\(request.executable): \(system_describe(error.errno))")
        }
        let slot = RunningGroups.register(pid)
        defer { RunningGroups.unregister(slot) }
        return collect(pid: pid, stdout: out.read, stderr: err.read, request: request, started: started,
                       bootStarted: bootStarted, onOutput: onOutput, onPoll: onPoll)
    }

    /// `name` itself when it has a `/`, else the first executable file of that name in `path`
    /// (`:`-separated), or nil.
    static func resolve(_ name: String, path: String) -> String? {
        guard !name.contains("/") else { return name }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory.isEmpty ? "." : String(directory))/\(name)"
            if let info = system_stat(candidate), (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o111 != 0 { return candidate }
        }
        return nil
    }

    /// Reads both pipes until the program ends, hangs or floods; kills what is left; reaps.
    private static func collect(pid: Int32, stdout: Int32, stderr: Int32, request: SpawnRequest, started: Double,
                                bootStarted: Double, onOutput: ((String) -> Void)?,
                                onPoll: ((pid_t) -> Void)?) -> SpawnResult {
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [true, true]
        var timedOut = false, flooded = false
        var exitedAt: Double?
        let deadline = request.timeout.map { started + $0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var liveSent = 0  // bytes of standard output already passed to onOutput
        var lineSeconds: [Double] = []
        let descriptors = [stdout, stderr]

        while true {
            let now = system_monotonicSeconds()
            if let deadline, now >= deadline, exitedAt == nil { timedOut = true; break }
            if exitedAt == nil, system_hasExited(pid) { exitedAt = now }
            // Ended with both pipes closed: done. Ended but something it started still holds the
            // pipes: read the last output for the grace period, then stop.
            if let exitedAt, (!open[0] && !open[1]) || now - exitedAt > grace { break }
            let reading = descriptors.indices.filter { open[$0] }.map { descriptors[$0] }
            if reading.isEmpty { system_sleep(0.001); continue }
            onPoll?(pid)
            for fd in system_pollReadable(reading, milliseconds: 10) {
                let index = fd == stdout ? 0 : 1
                guard case .success(let count) = buffer.withUnsafeMutableBytes({ system_read(fd, into: $0) }), count > 0 else {
                    open[index] = false
                    continue
                }
                if index == 0 {
                    let arrived = system_monotonicSeconds() - started
                    for byte in buffer[0..<count] where byte == 10 { lineSeconds.append(arrived) }
                    // Whole lines only, so a character split between two reads is never torn.
                    if let onOutput, let newline = buffer[0..<count].lastIndex(of: 10) {
                        onOutput(String(decoding: out[liveSent...] + buffer[0...newline], as: UTF8.self))
                        liveSent = out.count + newline + 1
                    }
                    out += buffer[0..<count]
                } else {
                    err += buffer[0..<count]
                }
                if out.count > request.outputLimit || err.count > request.outputLimit { flooded = true }
            }
            if flooded { break }
        }
        if let onOutput, liveSent < out.count, !flooded { onOutput(String(decoding: out[liveSent...], as: UTF8.self)) }
        onPoll?(pid)
        if exitedAt == nil || flooded {
            // Hung or flooding: kill it before closing the pipes, so it ends by SIGKILL, not by
            // a SIGPIPE of its own at the next write.
            system_killGroup(pid, SIGKILL)
            system_kill(pid, SIGKILL)
        }
        system_close(stdout)
        system_close(stderr)
        // The leader is not reaped yet (waitid WNOWAIT), so its pid still names the group.
        var leftRunning: [String] = []
        if let exitedAt, !flooded {
            leftRunning = awaitDescendants(of: pid, since: bootStarted, endedAt: exitedAt)
        }
        if exitedAt == nil || flooded || !leftRunning.isEmpty {
            system_killGroup(pid, SIGKILL)
            system_kill(pid, SIGKILL)
            killDescendants(of: pid, since: bootStarted)
        }
        let reaped = system_reapWithUsage(pid)
        let status = reaped?.status ?? 0
        let termination: Termination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        if out.count > request.outputLimit { out.removeLast(out.count - request.outputLimit) }
        if err.count > request.outputLimit { err.removeLast(err.count - request.outputLimit) }
        return SpawnResult(stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                           termination: termination, seconds: (exitedAt ?? system_monotonicSeconds()) - started, timedOut: timedOut,
                           flooded: flooded, leftRunning: leftRunning,
                           lineSeconds: lineSeconds, cpuSeconds: reaped?.cpuSeconds)
    }

    /// After the program ended: waits what is left of the grace period for its descendants to
    /// end on their own, reaping those re-parented here; returns those still running (`pid name`).
    private static func awaitDescendants(of pid: Int32, since: Double, endedAt: Double) -> [String] {
        let me = system_getpid()
        while true {
            let found = ProcessTable.descendants(of: pid, since: since)
            for entry in found where entry.state == "Z" && entry.parent == me { _ = system_reapIfEnded(entry.pid) }
            let living = found.filter { $0.state != "Z" }
            if living.isEmpty || system_monotonicSeconds() - endedAt > grace {
                return living.map { "\($0.pid) \($0.name)" + ($0.session == $0.pid ? " (own session)" : $0.group == $0.pid ? " (own process group)" : "") }
            }
            system_sleep(0.02)
        }
    }

    /// Kills every descendant of the program and reaps those re-parented to this process, until
    /// none is left (a process being killed may have forked a moment before).
    private static func killDescendants(of pid: Int32, since: Double) {
        let me = system_getpid()
        for _ in 0..<200 {
            let found = ProcessTable.descendants(of: pid, since: since)
            if found.isEmpty { return }
            for entry in found where entry.state != "Z" { system_kill(entry.pid, SIGKILL) }
            for entry in found where entry.parent == me { _ = system_reapIfEnded(entry.pid) }
            system_sleep(0.002)
        }
    }
}

/// Monotonic seconds.
public func monotonicSeconds() -> Double { system_monotonicSeconds() }

/// The value of an environment variable of this process.
public func environmentValue(_ name: String) -> String? { system_environmentValue(name) }
