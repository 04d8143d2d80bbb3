import Glibc

// MARK: - Outcome of one case

/// Thrown by a case when an expectation fails; the message becomes the FAIL line's figure.
struct CaseFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CaseFailure(message()) }
}

// MARK: - Time

func nowNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func milliseconds(since start: Int64) -> Double {
    Double(nowNanoseconds() - start) / 1e6
}

func milliseconds(from start: Int64, to end: Int64) -> Double {
    Double(end - start) / 1e6
}

func format(_ value: Double, digits: Int = 1) -> String {
    if digits == 0 { return "\(Int(value.rounded()))" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}

func sleepSeconds(_ seconds: Double) {
    usleep(UInt32(seconds * 1_000_000))
}

/// Waits (polling every millisecond) until `condition` holds or `seconds` pass.
func poll(upTo seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = nowNanoseconds() + Int64(seconds * 1e9)
    while nowNanoseconds() < end {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

// MARK: - /proc and /dev/shm

func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func openDescriptorCount() -> Int { directoryEntries("/proc/self/fd").count - 1 }  // minus opendir's own

func sharedMemoryEntries() -> Set<String> { Set(directoryEntries("/dev/shm")) }

func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 4096)
    let count = read(fd, &bytes, bytes.count)
    guard count > 0 else { return nil }
    return String(decoding: bytes[0..<count], as: UTF8.self)
}

/// State letter and parent pid of `pid` from /proc/<pid>/stat, nil when it does not exist.
func processStatus(_ pid: Int32) -> (state: Character, parent: Int32)? {
    guard let text = readSmallFile("/proc/\(pid)/stat"),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
    return (state, parent)
}

/// Every live process (including zombies) whose ancestry leads to `root`.
func descendants(of root: Int32) -> [Int32] {
    var parentOf: [Int32: Int32] = [:]
    for name in directoryEntries("/proc") {
        guard let pid = Int32(name), let status = processStatus(pid) else { continue }
        parentOf[pid] = status.parent
    }
    var found: [Int32] = []
    for pid in parentOf.keys {
        var cursor = parentOf[pid]
        var steps = 0
        while let current = cursor, current > 1, steps < 64 {
            if current == root { found.append(pid); break }
            cursor = parentOf[current]
            steps += 1
        }
    }
    return found.sorted()
}

/// Zombie children of this process.
func zombieChildren() -> Int {
    let me = getpid()
    var count = 0
    for name in directoryEntries("/proc") {
        guard let pid = Int32(name), let status = processStatus(pid) else { continue }
        if status.parent == me && status.state == "Z" { count += 1 }
    }
    return count
}

/// True when `pid` no longer runs: gone from /proc, or a zombie waiting to be reaped.
func isGone(_ pid: Int32) -> Bool {
    guard let status = processStatus(pid) else { return true }
    return status.state == "Z" || status.state == "X"
}

// MARK: - Spawning this program

func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
}

/// A copy of this program started with `arguments`, its standard output on a pipe.
struct Spawned {
    let pid: Int32
    let output: Int32

    /// Starts the copy; `newGroup` puts it in a process group of its own (so a timeout can
    /// kill the whole tree).
    init(arguments: [String], newGroup: Bool) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CaseFailure("pipe failed: errno \(errno)") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let path = executablePath()
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        close(fds[1])
        guard result == 0 else {
            close(fds[0])
            throw CaseFailure("posix_spawn failed: \(result)")
        }
        pid = child
        output = fds[0]
    }

    /// Reads one line (without the newline) within `seconds`; nil on timeout or end of file.
    func readLine(within seconds: Double) -> String? {
        var line: [UInt8] = []
        let end = nowNanoseconds() + Int64(seconds * 1e9)
        while true {
            let left = end - nowNanoseconds()
            if left <= 0 { return nil }
            var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&entry, 1, Int32(max(1, left / 1_000_000)))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            var byte: UInt8 = 0
            let count = read(output, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// Reaps the copy, waiting at most `seconds`; returns its wait status or nil.
    func reap(within seconds: Double) -> Int32? {
        let end = nowNanoseconds() + Int64(seconds * 1e9)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 && errno != EINTR { return nil }
            if nowNanoseconds() >= end { return nil }
            usleep(1000)
        }
    }
}

// MARK: - Signals

nonisolated(unsafe) var signalsHandled: Int32 = 0

/// Installs a counting handler for `signal` without SA_RESTART, so blocking system calls in
/// the library see EINTR.
func installCountingHandler(_ signal: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in signalsHandled &+= 1 }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(signal, &action, nil)
}

func restoreDefaultHandler(_ signal: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = nil  // SIG_DFL
    sigaction(signal, &action, nil)
}
