import CMultiprocessing
import Glibc

// System calls for sockets (AF_UNIX and AF_INET stream sockets), private temporary
// directories, random bytes, and the signal set-up of a manager's server process. Same rules
// as Syscalls.swift: EINTR retried, every other failure a `SystemError` naming the call.

// MARK: - Socket addresses

/// A socket address ready to hand to bind(2) or connect(2).
struct SocketAddress {
    /// The raw `sockaddr_un` or `sockaddr_in` bytes.
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32

    /// The address of a Unix domain socket file. Paths are limited to 107 bytes.
    static func unix(_ path: String) throws(SystemError) -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError(call: "sockaddr_un(\(path))", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        var result = SocketAddress(family: AF_UNIX)
        withUnsafeMutableBytes(of: &result.storage) { raw in
            withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
        }
        result.length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
        return result
    }

    /// An IPv4 address, e.g. `127.0.0.1`, and a port (0 lets the kernel choose one).
    static func ipv4(_ host: String, port: UInt16) throws(SystemError) -> SocketAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let parsed = host.withCString { inet_pton(AF_INET, $0, &address.sin_addr) }
        guard parsed == 1 else { throw SystemError(call: "inet_pton(\(host))", errno: EINVAL) }
        var result = SocketAddress(family: AF_INET)
        withUnsafeMutableBytes(of: &result.storage) { raw in
            withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
        }
        result.length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return result
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

// MARK: - Sockets

/// A new stream socket (close-on-exec) of `family` (`AF_UNIX` or `AF_INET`).
func system_socket(family: Int32) throws(SystemError) -> Int32 {
    try retryingOnInterrupt("socket(\(family == AF_UNIX ? "AF_UNIX" : "AF_INET"))") {
        socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }
}

func system_bind(_ fd: Int32, _ address: SocketAddress) throws(SystemError) {
    let result = address.withSockaddr { bind(fd, $0, $1) }
    if result == -1 { throw lastSystemError("bind(fd \(fd))") }
}

func system_listen(_ fd: Int32, backlog: Int32 = 128) throws(SystemError) {
    if listen(fd, backlog) == -1 { throw lastSystemError("listen(fd \(fd))") }
}

/// accept4(2) with close-on-exec; nil when the socket is non-blocking and nobody waits.
func system_accept(_ fd: Int32) throws(SystemError) -> Int32? {
    let client = try retryingOnInterruptUnlessWouldBlock("accept(fd \(fd))") { accept(fd, nil, nil) }
    if let client { _ = cmp_fcntl_int(client, F_SETFD, FD_CLOEXEC) }
    return client
}

/// connect(2), retried on EINTR.
func system_connect(_ fd: Int32, _ address: SocketAddress) throws(SystemError) {
    while true {
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result == 0 { return }
        let code = Glibc.errno
        if code == EINTR { continue }
        if code == EISCONN { return }
        throw SystemError(call: "connect(fd \(fd))", errno: code)
    }
}

/// The port a TCP socket is bound to (after binding port 0).
func system_boundPort(_ fd: Int32) throws(SystemError) -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    if result == -1 { throw lastSystemError("getsockname(fd \(fd))") }
    return UInt16(bigEndian: address.sin_port)
}

/// Sets an integer socket option (e.g. `IPPROTO_TCP`/`TCP_NODELAY`, `SOL_SOCKET`/`SO_REUSEADDR`).
func system_setSocketOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(SystemError) {
    var value = value
    if setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == -1 {
        throw lastSystemError("setsockopt(fd \(fd), \(name))")
    }
}

/// Sets or clears `O_NONBLOCK` on `fd`.
func system_setNonBlocking(_ fd: Int32, _ nonBlocking: Bool) throws(SystemError) {
    let flags = try retryingOnInterrupt("fcntl(fd \(fd), F_GETFL)") { cmp_fcntl_int(fd, F_GETFL, 0) }
    let wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    if wanted != flags {
        _ = try retryingOnInterrupt("fcntl(fd \(fd), F_SETFL)") { cmp_fcntl_int(fd, F_SETFL, wanted) }
    }
}

/// send(2) without blocking and without SIGPIPE: the bytes written (possibly fewer than
/// asked), or nil when the socket's buffer is full.
func system_sendNow(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int? {
    try retryingOnInterruptUnlessWouldBlock("send(fd \(fd))") {
        send(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
    }
}

/// shutdown(2) of the sending side: the peer reads end of file after what was sent.
func system_shutdownWrite(_ fd: Int32) {
    _ = shutdown(fd, Int32(SHUT_WR))
}

/// recv(2); 0 means the peer closed. With `dontWait`, returns nil when nothing is there yet.
func system_recv(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, dontWait: Bool) throws(SystemError) -> Int? {
    let flags = dontWait ? Int32(MSG_DONTWAIT) : 0
    return try retryingOnInterruptUnlessWouldBlock("recv(fd \(fd))") { recv(fd, buffer, count, flags) }
}

// MARK: - Files and directories

/// mkdtemp(3): a new directory only this user may enter (mode 0700), e.g. `/tmp/mp-XXXXXX`.
func system_makeTemporaryDirectory(prefix: String) throws(SystemError) -> String {
    var base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    if base.isEmpty || base.utf8.count > 60 { base = "/tmp" }  // socket paths must stay short
    var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
    let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard result != nil else { throw lastSystemError("mkdtemp(\(base))") }
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Removes a file; a missing file is not an error.
func system_unlink(_ path: String) {
    _ = Glibc.unlink(path)
}

/// Removes an empty directory; a missing one is not an error.
func system_removeDirectory(_ path: String) {
    _ = Glibc.rmdir(path)
}

func system_fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

// MARK: - Randomness

/// `count` bytes from the kernel's random source (getrandom(2), which blocks only until the
/// pool is first seeded at boot).
func system_randomBytes(_ count: Int) throws(SystemError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let got = bytes.withUnsafeMutableBytes { raw in cmp_getrandom(raw.baseAddress! + filled, count - filled) }
        if got > 0 { filled += got; continue }
        let code = Glibc.errno
        if got == -1, code == EINTR { continue }
        throw SystemError(call: "getrandom(\(count - filled) bytes)", errno: got == 0 ? EIO : code)
    }
    return bytes
}

// MARK: - A manager's server process

/// Ignores SIGINT in this process (Ctrl-C in a terminal reaches the whole process group).
func system_ignoreInterrupts() {
    signal(SIGINT, SIG_IGN)
}

/// Names the calling thread (and, for the main thread, the process) as `ps` shows it.
func system_setProcessName(_ name: String) {
    _ = name.withCString { cmp_set_process_name($0) }
}

/// On SIGTERM, removes `file` and then the empty `directory` (either may be nil) and ends
/// the process with status 0. The handler calls only async-signal-safe functions.
func system_removeOnTermination(file: String?, directory: String?) {
    TerminationCleanup.file = file.map { strdup($0) }
    TerminationCleanup.directory = directory.map { strdup($0) }
    signal(SIGTERM) { _ in
        if let file = TerminationCleanup.file { unlink(file) }
        if let directory = TerminationCleanup.directory { rmdir(directory) }
        _exit(0)
    }
}

private enum TerminationCleanup {
    nonisolated(unsafe) static var file: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var directory: UnsafeMutablePointer<CChar>?
}
