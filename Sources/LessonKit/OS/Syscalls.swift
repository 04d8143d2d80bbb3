import CLessonKit
import Glibc

// LessonKit's one OS layer: every system call, lock and signal of LessonKit is wrapped here,
// once, as an internal `system_<name>` function. Blocking calls retry on EINTR; errno is read
// right after the call that set it, before anything else can change it. The C shim
// `CLessonKit` holds the child side of a spawn and a signal-safe tree removal.

/// A failed system call: its name and errno.
struct SystemError: Error, CustomStringConvertible {
    /// The call, e.g. `pipe2`.
    var call: String
    /// The errno value.
    var errno: Int32

    var description: String { "\(call): \(system_describe(errno))" }
}

/// The message for an errno value (`No such file or directory`).
func system_describe(_ code: Int32) -> String { String(cString: strerror(code)) }

/// Calls `body` until it does not fail with EINTR; returns its result, or the errno of the failure.
private func retrying<T: BinaryInteger>(_ body: () -> T) -> (T, Int32) {
    while true {
        let result = body()
        let code = Glibc.errno  // first, before anything else runs
        if result < 0 && code == EINTR { continue }
        return (result, result < 0 ? code : 0)
    }
}

// MARK: - Files

func system_open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Result<Int32, SystemError> {
    let (fd, code) = retrying { open(path, flags | O_CLOEXEC, mode) }
    return fd >= 0 ? .success(fd) : .failure(SystemError(call: "open", errno: code))
}

/// Closes a descriptor this module owns; EBADF means it was closed twice, a bug.
func system_close(_ fd: Int32) {
    let result = close(fd)
    let code = Glibc.errno
    assert(result == 0 || code != EBADF, "closed descriptor \(fd) twice")
}

/// Reads up to `buffer.count` bytes; 0 at the end of the file.
func system_read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, SystemError> {
    let (count, code) = retrying { read(fd, buffer.baseAddress, buffer.count) }
    return count >= 0 ? .success(count) : .failure(SystemError(call: "read", errno: code))
}

/// Reads up to `buffer.count` bytes at `offset`, without moving the file position.
func system_pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int) -> Result<Int, SystemError> {
    let (count, code) = retrying { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    return count >= 0 ? .success(count) : .failure(SystemError(call: "pread", errno: code))
}

/// Writes all of `bytes`.
func system_writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Void, SystemError> {
    var offset = 0
    while offset < bytes.count {
        let (written, code) = retrying { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
        if written < 0 { return .failure(SystemError(call: "write", errno: code)) }
        offset += written
    }
    return .success(())
}

func system_fsync(_ fd: Int32) -> Result<Void, SystemError> {
    let (result, code) = retrying { fsync(fd) }
    return result == 0 ? .success(()) : .failure(SystemError(call: "fsync", errno: code))
}

func system_fchmod(_ fd: Int32, _ mode: mode_t) -> Result<Void, SystemError> {
    let result = fchmod(fd, mode)
    let code = Glibc.errno
    return result == 0 ? .success(()) : .failure(SystemError(call: "fchmod", errno: code))
}

func system_rename(_ from: String, _ to: String) -> Result<Void, SystemError> {
    let result = rename(from, to)
    let code = Glibc.errno
    return result == 0 ? .success(()) : .failure(SystemError(call: "rename", errno: code))
}

/// Removes a file (not a directory); a missing one is fine.
func system_unlink(_ path: String) { _ = unlink(path) }

func system_mkdir(_ path: String, _ mode: mode_t) -> Result<Void, SystemError> {
    let result = mkdir(path, mode)
    let code = Glibc.errno
    return result == 0 ? .success(()) : .failure(SystemError(call: "mkdir", errno: code))
}

/// Creates a fresh private directory from a `…XXXXXX` template; returns its path.
func system_mkdtemp(_ template: String) -> Result<String, SystemError> {
    var bytes = Array(template.utf8CString)
    let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    let code = Glibc.errno
    guard made != nil else { return .failure(SystemError(call: "mkdtemp", errno: code)) }
    return .success(bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
}

/// The status of `path` (of a symbolic link itself when `following` is false), or nil.
func system_stat(_ path: String, following: Bool = true) -> stat? {
    var info = stat()
    return (following ? stat(path, &info) : lstat(path, &info)) == 0 ? info : nil
}

func system_exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func system_touch(_ path: String) { _ = utimensat(AT_FDCWD, path, nil, 0) }

/// The names in a directory, without `.` and `..`, unsorted; nil when it cannot be read.
func system_listDirectory(_ path: String) -> [String]? {
    guard let directory = opendir(path) else { return nil }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// Removes the tree at `path` (links are removed, not followed); true when nothing remains.
/// Safe to call from a signal handler when `path` is a C string made beforehand.
@discardableResult
func system_removeTree(_ path: UnsafePointer<CChar>) -> Bool { clk_remove_tree(path) == 0 }

func system_currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

// MARK: - Terminals

func system_isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// The terminal's width in columns, or nil.
func system_terminalColumns(_ fd: Int32) -> Int? {
    var size = winsize()
    return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
}

/// Flushes C's standard I/O buffers (before writing to a descriptor directly).
func system_flushStandardIO() { fflush(nil) }

// MARK: - Pipes and polling

/// A pipe whose both ends are close-on-exec from the start (no window in which a concurrent
/// spawn inherits them).
func system_pipe() -> Result<(read: Int32, write: Int32), SystemError> {
    var fds: [Int32] = [-1, -1]
    let result = clk_pipe_cloexec(&fds)
    let code = Glibc.errno
    return result == 0 ? .success((fds[0], fds[1])) : .failure(SystemError(call: "pipe2", errno: code))
}

/// Waits up to `milliseconds` for the descriptors to become readable; returns the readable ones
/// (also at end of file or error). EINTR returns none.
func system_pollReadable(_ fds: [Int32], milliseconds: Int32) -> [Int32] {
    var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    guard poll(&entries, nfds_t(entries.count), milliseconds) > 0 else { return [] }
    return entries.filter { $0.revents != 0 }.map(\.fd)
}

// MARK: - Processes

/// How a spawned child could not start.
struct SpawnFailure: Error {
    /// What failed: `pipe`, `fork`, `chdir`, `exec` or `setup`.
    var step: String
    /// The errno.
    var errno: Int32
}

/// Starts `path` in a forked child (see `clk_spawn`: own process group, SIGKILL when the calling
/// thread ends, default signals, stdin /dev/null, the given stdout and stderr, `directory`).
func system_spawn(path: String, arguments: [String], environment: [String], directory: String?,
                  stdout: Int32, stderr: Int32) -> Result<pid_t, SpawnFailure> {
    withCStrings(arguments) { argv in
        withCStrings(environment) { envp in
            var pid: pid_t = 0
            var code: Int32 = 0
            let step = clk_spawn(path, argv, envp, directory, stdout, stderr, &pid, &code)
            guard step != Int32(CLK_SPAWN_OK.rawValue) else { return .success(pid) }
            let names: [UInt32: String] = [CLK_SPAWN_PIPE.rawValue: "pipe", CLK_SPAWN_FORK.rawValue: "fork",
                                           CLK_SPAWN_CHDIR.rawValue: "chdir", CLK_SPAWN_EXEC.rawValue: "exec"]
            return .failure(SpawnFailure(step: names[UInt32(step)] ?? "setup", errno: code))
        }
    }
}

/// Makes this process the reaper of its orphaned descendants while at least one caller needs
/// it: each `system_holdChildSubreaper(true)` is matched by one `(false)`; the last one turns
/// it off, so orphans of unrelated children are adopted only while programs run. (A forked
/// child never inherits the setting.)
func system_holdChildSubreaper(_ hold: Bool) {
    subreaperLock.withLock {
        let me = getpid()
        if subreaperProcess != me { subreaperProcess = me; subreaperHolders = 0 }
        subreaperHolders += hold ? 1 : -1
        if hold && subreaperHolders == 1 { _ = clk_set_child_subreaper(1) }
        if !hold && subreaperHolders == 0 { _ = clk_set_child_subreaper(0) }
    }
}

nonisolated(unsafe) private var subreaperProcess: pid_t = 0
nonisolated(unsafe) private var subreaperHolders = 0
private let subreaperLock = Lock()

/// Whether the child `pid` has ended, without reaping it (its pid stays reserved).
func system_hasExited(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    let (result, _) = retrying { waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) }
    return result == 0 && info._sifields._kill.si_pid != 0
}

/// Reaps the child `pid`, waiting for it; returns its wait status and the CPU seconds (user +
/// system) it and the children it reaped used, or nil when it is not a child.
func system_reapWithUsage(_ pid: pid_t) -> (status: Int32, cpuSeconds: Double)? {
    var status: Int32 = 0
    var usage = rusage()
    let (result, _) = retrying { wait4(pid, &status, 0, &usage) }
    guard result == pid else { return nil }
    let cpu = [usage.ru_utime, usage.ru_stime].reduce(0.0) { $0 + Double($1.tv_sec) + Double($1.tv_usec) / 1e6 }
    return (status, cpu)
}

/// Reaps the child `pid` if it has ended; true when it was reaped.
func system_reapIfEnded(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    let (result, _) = retrying { waitpid(pid, &status, WNOHANG) }
    return result == pid
}

func system_kill(_ pid: pid_t, _ signal: Int32) { _ = kill(pid, signal) }
func system_killGroup(_ group: pid_t, _ signal: Int32) { _ = killpg(group, signal) }
func system_getpid() -> pid_t { getpid() }
func system_getpgrp() -> pid_t { getpgrp() }

/// Sleeps about `seconds`.
func system_sleep(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && Glibc.errno == EINTR { request = remaining }
}

/// The value of an environment variable of this process.
func system_environmentValue(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

/// This process's environment as `NAME=value` strings.
func system_environment() -> [String] {
    var result: [String] = []
    var entry = environ
    while let pointer = entry.pointee {
        result.append(String(cString: pointer))
        entry += 1
    }
    return result
}

// MARK: - Clocks

func system_monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Seconds since boot (the clock of `/proc/<pid>/stat`'s start time).
func system_bootSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_BOOTTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Clock ticks per second (`/proc` times are in ticks).
func system_clockTicksPerSecond() -> Double { Double(sysconf(Int32(_SC_CLK_TCK))) }

// MARK: - Shared memory, signals, exit

/// Anonymous memory shared with processes forked later, or nil.
func system_mapShared(bytes: Int) -> UnsafeMutableRawPointer? {
    let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
    guard let memory, memory != MAP_FAILED else { return nil }
    return memory
}

/// Installs `handler` for `signal` unless the signal is ignored (a background job's SIGINT,
/// nohup's SIGHUP stay ignored).
func system_handleSignal(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
    let previous = Glibc.signal(signal, handler)
    if unsafeBitCast(previous, to: Int.self) == 1 { _ = Glibc.signal(signal, SIG_IGN) }
}

/// From a signal handler: restores the default action and raises the signal again.
func system_reraise(_ signal: Int32) {
    _ = Glibc.signal(signal, SIG_DFL)
    _ = raise(signal)
}

/// Runs `handler` when the process exits normally.
func system_atExit(_ handler: @convention(c) () -> Void) { _ = atexit(handler) }

/// Calls `body` at fork: `prepare` before, `after` in both processes.
func system_atFork(prepare: @convention(c) () -> Void, after: @convention(c) () -> Void) {
    _ = pthread_atfork(prepare, after, after)
}

// MARK: - Locks

/// A mutex. It lives in memory of its own (never a stored property whose address `&` would take
/// through a temporary), so every thread locks the same one.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

// MARK: - C strings

/// A C copy of `text` that lives as long as the process (for signal handlers, which may not allocate).
func system_permanentCString(_ text: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(text)!) }

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
