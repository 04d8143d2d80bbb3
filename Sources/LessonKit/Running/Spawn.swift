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
    /// Wall-clock seconds from start to end.
    public var seconds: Double
    /// It was still running at the time limit.
    public var timedOut: Bool
    /// It wrote more than the output limit.
    public var flooded: Bool
}

// MARK: - Spawning

/// Starts programs with `posix_spawn` (fork + exec in one step, safe from a threaded parent),
/// collects their output through pipes and reaps them.
///
/// The program leads a new process group. When it ends, hangs or floods, the whole group gets
/// `SIGKILL`, so helpers it started are not left running; the program itself is reaped, so it
/// leaves no zombie.
public enum Spawn {
    /// Runs `request` to completion.
    ///
    /// - Parameter onOutput: called with each chunk of standard output as it arrives.
    public static func run(_ request: SpawnRequest, onOutput: ((String) -> Void)? = nil) -> SpawnResult {
        let started = monotonicSeconds()
        func failure(_ reason: String) -> SpawnResult {
            SpawnResult(stdout: "", stderr: "", termination: .failedToStart(reason), seconds: 0, timedOut: false, flooded: false)
        }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { return failure("pipe: \(String(cString: strerror(errno)))") }
        guard makePipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            return failure("pipe: \(String(cString: strerror(errno)))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [request.executable] + request.arguments
        let envp: [String]? = request.environment.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
        var pid: pid_t = 0
        // posix_spawn_file_actions_addchdir_np is a GNU extension Swift's Glibc module does not
        // export: change directory around the spawn instead, under a lock (parallel runs spawn
        // from their own processes; threads of one process take turns).
        RunningGroups.prepare()
        directoryLock.lock()
        var savedDirectory: Int32 = -1
        if let directory = request.directory {
            savedDirectory = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard chdir(directory) == 0 else {
                close(outPipe[0]); close(outPipe[1]); close(errPipe[0]); close(errPipe[1])
                if savedDirectory >= 0 { close(savedDirectory) }
                directoryLock.unlock()
                return failure("cannot enter \(directory): \(String(cString: strerror(errno)))")
            }
        }
        let status = withCStrings(argv) { cArgv in
            if let envp {
                return withCStrings(envp) { cEnv in
                    request.executable.contains("/")
                        ? posix_spawn(&pid, request.executable, &actions, &attributes, cArgv, cEnv)
                        : posix_spawnp(&pid, request.executable, &actions, &attributes, cArgv, cEnv)
                }
            }
            return request.executable.contains("/")
                ? posix_spawn(&pid, request.executable, &actions, &attributes, cArgv, environ)
                : posix_spawnp(&pid, request.executable, &actions, &attributes, cArgv, environ)
        }
        if savedDirectory >= 0 {
            fchdir(savedDirectory)
            close(savedDirectory)
        }
        directoryLock.unlock()
        close(outPipe[1])
        close(errPipe[1])
        guard status == 0 else {
            close(outPipe[0]); close(errPipe[0])
            return failure("\(request.executable): \(String(cString: strerror(status)))")
        }
        let slot = RunningGroups.register(pid)
        defer { RunningGroups.unregister(slot) }
        return collect(pid: pid, stdout: outPipe[0], stderr: errPipe[0], request: request, started: started, onOutput: onOutput)
    }

    /// Reads both pipes until the program ends, hangs or floods; kills the group; reaps.
    private static func collect(pid: pid_t, stdout: Int32, stderr: Int32, request: SpawnRequest, started: Double,
                                onOutput: ((String) -> Void)?) -> SpawnResult {
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [true, true]
        var timedOut = false, flooded = false
        var exitedAt: Double?
        let deadline = request.timeout.map { started + $0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var liveSent = 0  // bytes of standard output already passed to onOutput
        let descriptors = [stdout, stderr]

        while open[0] || open[1] {
            let now = monotonicSeconds()
            if let deadline, now >= deadline, exitedAt == nil { timedOut = true; break }
            // The program ended but something it started still holds the pipes: give the
            // last output a moment, then stop reading.
            if let exitedAt, now - exitedAt > 0.5 { break }
            var fds = descriptors.indices.filter { open[$0] }.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 10)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let index = entry.fd == stdout ? 0 : 1
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { open[index] = false; continue }
                if index == 0 {
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
            if exitedAt == nil, hasExited(pid) { exitedAt = monotonicSeconds() }
        }
        if let onOutput, liveSent < out.count, !flooded { onOutput(String(decoding: out[liveSent...], as: UTF8.self)) }
        // The leader is not reaped yet (waitid WNOWAIT), so its pid still names the group.
        killpg(pid, SIGKILL)
        close(stdout)
        close(stderr)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let termination: Termination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        if out.count > request.outputLimit { out.removeLast(out.count - request.outputLimit) }
        if err.count > request.outputLimit { err.removeLast(err.count - request.outputLimit) }
        return SpawnResult(stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                           termination: termination, seconds: monotonicSeconds() - started, timedOut: timedOut, flooded: flooded)
    }

    /// Whether the child has ended, without reaping it.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
        return info._sifields._kill.si_pid != 0
    }
}

// MARK: - Helpers

// MARK: - Interrupts

/// The process groups of running programs, in shared memory made before any runner process is
/// forked. Each program runs in its own process group, outside the terminal's foreground
/// group, so it would not get Ctrl-C itself: on Ctrl-C, `SIGTERM` or a hang-up, the process
/// that made the table kills every registered group, and any other process (a runner forked
/// from it) kills the groups it started itself.
enum RunningGroups {
    static let slots = 4096
    /// Per slot: the registering process's pid, then the program's process group.
    nonisolated(unsafe) static var table: UnsafeMutablePointer<Int32>?
    nonisolated(unsafe) static var creator: pid_t = 0

    /// Maps the table and installs the handlers; call before forking runner processes.
    static func prepare() {
        _ = directoryLock  // installs the fork handlers
        registrationLock.lock()
        defer { registrationLock.unlock() }
        guard table == nil else { return }
        let size = 2 * slots * MemoryLayout<Int32>.stride
        let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let memory, memory != MAP_FAILED else { return }
        table = memory.bindMemory(to: Int32.self, capacity: 2 * slots)
        creator = getpid()
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let previous = Glibc.signal(signal) { number in
                RunningGroups.killRegistered()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
            // A signal the caller ignores (a background job's SIGINT, nohup's SIGHUP) stays ignored.
            if unsafeBitCast(previous, to: Int.self) == 1 { Glibc.signal(signal, SIG_IGN) }
        }
    }

    /// Records a running program's group; returns its slot (or -1).
    static func register(_ group: pid_t) -> Int {
        guard let table else { return -1 }
        registrationLock.lock()
        defer { registrationLock.unlock() }
        let start = Int(group) % slots
        for offset in 0..<slots where table[2 * ((start + offset) % slots) + 1] == 0 {
            let slot = (start + offset) % slots
            table[2 * slot] = getpid()
            table[2 * slot + 1] = group
            return slot
        }
        return -1
    }

    /// Forgets a program's group.
    static func unregister(_ slot: Int) {
        guard let table, slot >= 0 else { return }
        table[2 * slot + 1] = 0
        table[2 * slot] = 0
    }

    /// Kills the registered groups this process may kill (from a signal handler: only
    /// async-signal-safe calls).
    static func killRegistered() {
        guard let table else { return }
        let me = getpid()
        for slot in 0..<slots {
            let group = table[2 * slot + 1]
            if group > 0 && (me == creator || table[2 * slot] == me) { killpg(group, SIGKILL) }
        }
    }
}

/// A mutex for process-wide state changed around a spawn (the registry, the working directory).
final class ProcessWideLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
}

private let registrationLock = ProcessWideLock()
private let directoryLock: ProcessWideLock = {
    let lock = ProcessWideLock()
    // A fork while another thread holds one of these locks would leave it locked forever in
    // the child (a runner process of the pool): forks wait until both are free.
    pthread_atfork(
        { registrationLock.lock(); directoryLock.lock() },
        { directoryLock.unlock(); registrationLock.unlock() },
        { directoryLock.unlock(); registrationLock.unlock() }
    )
    return lock
}()

/// A pipe whose ends are closed on exec (the child gets copies on 1 and 2 only).
private func makePipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return true
}

/// Monotonic seconds.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

/// The value of an environment variable of this process.
public func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
