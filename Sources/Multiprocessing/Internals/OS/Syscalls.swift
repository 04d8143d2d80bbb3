import CMultiprocessing
import Glibc

// The system-call layer. Every call the library makes to the OS is wrapped here (or in a
// sibling file of this folder) once: `EINTR` is retried, any other failure becomes a
// `SystemError` naming the call. Code above this layer never reads `errno`.

// MARK: - Retrying

/// The error of the call that just failed: `errno` is read before `call` is built (building a
/// string may allocate, and an allocation may change `errno`). A bad address is a bug in this
/// library, not a condition to report.
@inline(__always)
func lastSystemError(_ call: @autoclosure () -> String) -> SystemError {
    let code = Glibc.errno
    assert(code != EFAULT, "\(call()) was given a bad address")
    return SystemError(call: call(), errno: code)
}

/// Runs `body` until it returns something other than -1 with `EINTR`; throws on other errors.
@inline(__always)
func retryingOnInterrupt<T: FixedWidthInteger>(
    _ call: @autoclosure () -> String, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        if Glibc.errno == EINTR { continue }
        throw lastSystemError(call())
    }
}

/// Like `retryingOnInterrupt`, for calls that may legitimately fail with `EAGAIN`: returns nil then.
@inline(__always)
func retryingOnInterruptUnlessWouldBlock<T: FixedWidthInteger>(
    _ call: @autoclosure () -> String, _ body: () -> T
) throws(SystemError) -> T? {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        throw SystemError(call: call(), errno: code)
    }
}

// MARK: - Processes

func system_fork() throws(SystemError) -> pid_t {
    let pid = cmp_fork()
    if pid == -1 { throw lastSystemError("fork()") }
    return pid
}

func system_getpid() -> pid_t { getpid() }
func system_getppid() -> pid_t { getppid() }

/// `waitpid(pid, &status, options)`; returns nil when `WNOHANG` finds the child still running.
func system_waitpid(_ pid: pid_t, options: Int32 = 0) throws(SystemError) -> (pid: pid_t, status: Int32)? {
    var status: Int32 = 0
    let result = try retryingOnInterrupt("waitpid(\(pid))") { waitpid(pid, &status, options) }
    return result == 0 ? nil : (result, status)
}

/// `kill(pid, signal)`; a process that is already gone (`ESRCH`) is not an error.
func system_kill(_ pid: pid_t, _ signal: Int32) throws(SystemError) {
    if kill(pid, signal) == -1 {
        let code = Glibc.errno
        if code != ESRCH { throw SystemError(call: "kill(\(pid), \(signal))", errno: code) }
    }
}

/// Whether a process with this pid exists (it may be a zombie).
func system_processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || Glibc.errno == EPERM
}

/// The decoded exit status: the exit code, or minus the signal number, as Python's `exitcode`.
func decodeExitCode(waitStatus status: Int32) -> Int32 {
    if cmp_wifexited(status) != 0 { return cmp_wexitstatus(status) }
    if cmp_wifsignaled(status) != 0 { return -cmp_wtermsig(status) }
    return -1
}

func system_setParentDeathSignal(_ signal: Int32) throws(SystemError) {
    if cmp_set_parent_death_signal(signal) == -1 {
        throw lastSystemError("prctl(PR_SET_PDEATHSIG)")
    }
}

/// Writes `text` to standard error at once (unbuffered).
func system_writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = try? system_writeAll(2, UnsafeRawBufferPointer(bytes)) }
}

/// Ends the calling process at once, without atexit handlers (the child side of a fork).
func system_exit(_ code: Int32) -> Never {
    system_flushOutputStreams()
    ChildStartup.exit(code)  // bound in the parent: see ChildStartup
}

/// Flushes every C output stream (stdout, stderr, files), fflush(NULL).
func system_flushOutputStreams() {
    _ = fflush(nil)
}

/// Sleeps the calling thread for at least `microseconds` (usleep(3); a signal may end it early).
func system_sleep(microseconds: UInt32) {
    _ = usleep(microseconds)
}

/// The processors online, at least 1.
func system_processorCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// The system's words for an errno value, e.g. `Connection refused`.
func system_errorDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// sched_yield(2): lets another thread that is ready run on this CPU first.
func system_yieldProcessor() {
    _ = sched_yield()
}

/// Ends the calling process as `exit(3)` does: atexit handlers run, streams are flushed.
func system_exitProcess(_ code: Int32) -> Never {
    Glibc.exit(code)
}

// MARK: - Clock

/// CLOCK_MONOTONIC in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> Int64 { cmp_monotonic_ns() }

// MARK: - File descriptors

func system_close(_ fd: Int32) {
    // close(2) must not be retried on EINTR on Linux: the descriptor is released either way.
    let result = Glibc.close(fd)
    let code = Glibc.errno
    assert(result == 0 || code != EBADF, "closed descriptor \(fd) twice (or never opened it)")
}

func system_pipe() throws(SystemError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    _ = try retryingOnInterrupt("pipe2(O_CLOEXEC)") { cmp_pipe_cloexec(&fds) }
    return (fds[0], fds[1])
}

func system_socketpair() throws(SystemError) -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    _ = try retryingOnInterrupt("socketpair(AF_UNIX)") {
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
    }
    return (fds[0], fds[1])
}

func system_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> Int {
    try retryingOnInterrupt("read(fd \(fd))") { Glibc.read(fd, buffer, count) }
}

func system_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) throws(SystemError) -> Int {
    try retryingOnInterrupt("write(fd \(fd))") { Glibc.write(fd, buffer, count) }
}

/// Writes every byte, looping over partial writes.
func system_writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) {
    guard var base = buffer.baseAddress else { return }
    var remaining = buffer.count
    while remaining > 0 {
        let written = try system_write(fd, base, remaining)
        base += written
        remaining -= written
    }
}

/// poll(2) on one descriptor. Returns the revents, or 0 on timeout. `timeout` nil waits forever.
func system_poll(_ fd: Int32, events: Int16, deadline: Deadline) throws(SystemError) -> Int16 {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    return try pollUntil(deadline, &entry, 1, "poll(fd \(fd))") ? entry.revents : 0
}

/// poll(2) on many descriptors; returns the indices that are ready (empty on timeout).
func system_poll(_ fds: [Int32], events: Int16, deadline: Deadline) throws(SystemError) -> [Int] {
    var entries = fds.map { pollfd(fd: $0, events: events, revents: 0) }
    guard try pollUntil(deadline, &entries, entries.count, "poll(\(fds.count) descriptors)") else { return [] }
    return entries.indices.filter { entries[$0].revents != 0 }
}

/// poll(2) until something is ready (true) or `deadline` has passed (false), retrying EINTR.
@inline(__always)
private func pollUntil(
    _ deadline: Deadline, _ entries: UnsafeMutablePointer<pollfd>, _ count: Int, _ call: @autoclosure () -> String
) throws(SystemError) -> Bool {
    while true {
        let result = poll(entries, nfds_t(count), deadline.pollMilliseconds)
        if result > 0 { return true }
        if result == 0 {
            if deadline.hasExpired { return false }
            continue  // rounding: poll's millisecond timeout ended just before the deadline
        }
        if Glibc.errno == EINTR { continue }
        throw lastSystemError(call())
    }
}

func system_pidfdOpen(_ pid: pid_t) throws(SystemError) -> Int32 {
    let fd = cmp_pidfd_open(pid)
    if fd == -1 { throw lastSystemError("pidfd_open(\(pid))") }
    // pidfd_open(2) always sets close-on-exec: no fcntl needed.
    return fd
}

// MARK: - Shared memory

/// Maps `size` bytes of zeroed memory shared with every process forked afterwards.
///
/// `lazily` maps it without reserving swap (`MAP_NORESERVE`): pages cost nothing until first
/// touched, so a generous ring (tens of MiB) is cheap when barely used.
func system_mapShared(_ size: Int, lazily: Bool = false) throws(SystemError) -> UnsafeMutableRawPointer {
    let flags = MAP_SHARED | MAP_ANONYMOUS | (lazily ? MAP_NORESERVE : 0)
    let address = mmap(nil, size, PROT_READ | PROT_WRITE, flags, -1, 0)
    guard let address, address != MAP_FAILED else {
        throw lastSystemError("mmap(\(size) bytes, MAP_SHARED\(lazily ? "|MAP_NORESERVE" : ""))")
    }
    return address
}

func system_unmap(_ address: UnsafeMutableRawPointer, _ size: Int) {
    _ = munmap(address, size)
}

// MARK: - Futex

/// Sleeps while `word` holds `expected`, at most until `deadline`. Returns false on timeout.
/// Spurious wake-ups return true: callers re-check their condition in a loop.
func system_futexWait(_ word: UnsafeMutablePointer<UInt32>, expected: UInt32, deadline: Deadline) -> Bool {
    let timeout = deadline.remainingNanoseconds
    if let timeout, timeout <= 0 { return false }
    if cmp_futex_wait(word, expected, timeout ?? -1) == -1, Glibc.errno == ETIMEDOUT { return false }
    return true
}

/// Wakes at most `count` waiters of `word` (`Int32.max`: all).
@discardableResult @usableFromInline
func system_futexWake(_ word: UnsafeMutablePointer<UInt32>, count: Int32 = Int32.max) -> Int32 {
    cmp_futex_wake(word, count)
}
