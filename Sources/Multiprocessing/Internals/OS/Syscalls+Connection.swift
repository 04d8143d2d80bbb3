import CMultiprocessing
import Glibc

// System calls used by `Connection`: sending without SIGPIPE, vectored writes, buffer sizes.
// Same rules as Syscalls.swift: EINTR is retried, failures become `SystemError`.

// MARK: - Writing

/// Writes the whole of `first` then `second` (either may be empty) with as few system calls as
/// the kernel allows: one `sendmsg`/`writev` when everything fits. On sockets `MSG_NOSIGNAL`
/// turns a closed peer into `EPIPE` instead of a signal.
func system_writeAll(
    _ fd: Int32, isSocket: Bool, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer
) throws(SystemError) {
    var vectors = (
        iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
        iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
    )
    var skipFirst = first.isEmpty
    while true {
        let written: Int = try withUnsafeMutablePointer(to: &vectors) { pair throws(SystemError) -> Int in
            try pair.withMemoryRebound(to: iovec.self, capacity: 2) { (base: UnsafeMutablePointer<iovec>) throws(SystemError) -> Int in
                let start = skipFirst ? base + 1 : base
                let count: Int32 = skipFirst ? 1 : 2
                if isSocket {
                    var message = msghdr()
                    message.msg_iov = start
                    message.msg_iovlen = Int(count)
                    return try retryingOnInterrupt("sendmsg(fd \(fd))") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
                }
                return try retryingOnInterrupt("writev(fd \(fd))") { writev(fd, start, count) }
            }
        }
        // Advance past what was written.
        var left = written
        if !skipFirst {
            if left >= vectors.0.iov_len {
                left -= vectors.0.iov_len
                skipFirst = true
            } else {
                vectors.0.iov_base += left
                vectors.0.iov_len -= left
                continue
            }
        }
        vectors.1.iov_base = vectors.1.iov_base.map { $0 + left }
        vectors.1.iov_len -= left
        if vectors.1.iov_len == 0 { return }
    }
}

// MARK: - Buffers and descriptor facts

/// Asks for socket buffers of `size` bytes each way. Best effort: the kernel may cap it.
func system_setSocketBufferSizes(_ fd: Int32, _ size: Int32) {
    var value = size
    let length = socklen_t(MemoryLayout<Int32>.size)
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, length)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, length)
}

/// Grows a pipe's kernel buffer to `size` bytes. Best effort: unprivileged processes are
/// capped by /proc/sys/fs/pipe-max-size.
func system_setPipeSize(_ fd: Int32, _ size: Int32) {
    _ = cmp_set_pipe_size(fd, size)
}

/// Whether `fd` is a socket (as opposed to a pipe or file).
func system_isSocket(_ fd: Int32) -> Bool {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFSOCK
}

// MARK: - SIGPIPE

/// Makes writes to a pipe whose reader has gone fail with `EPIPE` instead of killing the
/// process, by ignoring `SIGPIPE` (as Python does at start-up). Done once, and only when the
/// signal still has its default action, so a handler the program installed is kept.
func system_ignoreBrokenPipeSignal() {
    _ = brokenPipeSignalIgnored
}

private let brokenPipeSignalIgnored: Bool = {
    var current = sigaction()
    guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
    guard current.__sigaction_handler.sa_handler == nil else { return false }  // SIG_DFL is nil
    var ignore = sigaction()
    ignore.__sigaction_handler.sa_handler = SIG_IGN
    sigemptyset(&ignore.sa_mask)
    return sigaction(SIGPIPE, &ignore, nil) == 0
}()

// MARK: - Wake-ups

/// Sends one wake-up byte without blocking. Returns false when the other end is gone
/// (`EPIPE`, `ECONNRESET`); a full socket (`EAGAIN`) already holds wake-ups, so that is true.
func system_sendWakeUp(_ fd: Int32) -> Bool {
    var byte: UInt8 = 1
    while true {
        if Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) == 1 { return true }
        let code = Glibc.errno
        if code == EINTR { continue }
        return code != EPIPE && code != ECONNRESET
    }
}

/// Reads and drops the wake-up bytes queued on a socket, without blocking. Returns true
/// when the socket reached end-of-file (every holder of the other end closed it).
func system_drainWakeUps(_ fd: Int32) -> Bool {
    var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    let size = MemoryLayout.size(ofValue: scratch)
    while true {
        let got = withUnsafeMutableBytes(of: &scratch) { Glibc.recv(fd, $0.baseAddress, size, Int32(MSG_DONTWAIT)) }
        if got == 0 { return true }
        if got < 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            return code != EAGAIN && code != EWOULDBLOCK
        }
        if got < size { return false }
    }
}

// MARK: - Reading whole blocks

/// `recv(fd, buffer, count, MSG_WAITALL)`: on a stream socket, returns when `count` bytes
/// arrived (fewer only at end-of-file or on a signal), so a large block costs one wake-up
/// instead of one per kernel buffer's worth.
func system_receiveAll(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> Int {
    try retryingOnInterrupt("recv(fd \(fd), MSG_WAITALL)") { Glibc.recv(fd, buffer, count, Int32(MSG_WAITALL)) }
}
