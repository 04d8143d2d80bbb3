import Glibc

/// One connected stream socket carrying length-prefixed frames, used by one thread at a time.
///
/// Reads are buffered: one `recv` usually brings a whole frame. Before blocking, a receive
/// first polls the socket with non-blocking reads for a short, bounded time (`spin`): a reply
/// that comes back within a few tens of microseconds is then picked up without the cost of
/// putting this thread to sleep and waking it again on another core.
///
/// The spinning adapts: when the peer's answer did not come within the spin window, the next
/// window is halved (down to none), so a busy machine, where spinning only takes the CPU the
/// peer needs, soon stops spinning; every so often a window is tried again.
final class FramedSocket {
    let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// The current spin window in nanoseconds (adapted between 0 and the caller's maximum).
    private var spinBudget: Int64 = -1
    /// Receives done without spinning since the window shrank to nothing.
    private var receivesWithoutSpin = 0
    /// A reusable frame for the next message this socket sends.
    var writer = FrameWriter()
    /// The longest frame body received (or, by the client, sent): a small fixed cap until
    /// authentication is over, then the server's ``ManagerLimits/maximumMessageBytes``.
    var frameLimit: Int

    init(fd: Int32, frameLimit: Int = ManagerLimits.preAuthenticationFrameBytes, bufferSize: Int = 64 * 1024) {
        self.fd = fd
        self.frameLimit = frameLimit
        buffer = .allocate(byteCount: bufferSize, alignment: 8)
    }

    deinit {
        buffer.deallocate()
    }

    func close() {
        system_close(fd)
    }

    /// Sends the frame built in ``writer``, in one write.
    func sendWriter() throws(SystemError) {
        writer.finish()
        try Self.sendAll(fd, writer.bytes)
    }

    /// Sends raw frame bytes (length prefix included).
    func send(frame: [UInt8]) throws(SystemError) {
        try Self.sendAll(fd, frame)
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { raw in
            do throws(SystemError) {
                try system_writeAll(fd, isSocket: true, raw, UnsafeRawBufferPointer(start: nil, count: 0))
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The next frame's body; nil when the peer closed between frames.
    ///
    /// - Parameter spinNanoseconds: how long to poll without blocking before sleeping in `recv`.
    /// - Throws: `SystemError` from the socket, ``ManagerError/messageTooLarge(bytes:limit:)``
    ///   for a length over ``frameLimit`` (nothing is allocated for it), or
    ///   ``ManagerError/malformedMessage(reason:)`` for a stream that ends mid-frame.
    func receiveFrame(spinNanoseconds: Int64) throws -> [UInt8]? {
        while true {
            let available = end - start
            if available >= 4 {
                let length = Int(buffer.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian)
                guard length <= frameLimit else {
                    throw ManagerError.messageTooLarge(bytes: length, limit: frameLimit)
                }
                if available >= 4 + length {
                    let body = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[(start + 4)..<(start + 4 + length)]))
                    start += 4 + length
                    if start == end { start = 0; end = 0 }
                    return body
                }
                if 4 + length > buffer.count {
                    return try receiveLargeFrame(length: length)
                }
            }
            if start > 0 {
                // Move the partial frame to the front to make room for the rest.
                let pending = end - start
                if pending > 0 {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending)
                }
                start = 0
                end = pending
            }
            let got = try fill(spinNanoseconds: spinNanoseconds)
            if got == 0 {
                if end == start { return nil }
                throw ManagerError.malformedMessage(reason: "the connection closed in the middle of a message")
            }
        }
    }

    /// Reads into the buffer once: spinning first, then blocking. Returns the bytes read (0 = EOF).
    private func fill(spinNanoseconds: Int64) throws(SystemError) -> Int {
        let space = buffer.count - end
        if spinBudget < 0 || spinBudget > spinNanoseconds { spinBudget = spinNanoseconds }
        if spinBudget == 0, spinNanoseconds > 0 {
            receivesWithoutSpin += 1
            if receivesWithoutSpin >= 256 {
                receivesWithoutSpin = 0
                spinBudget = spinNanoseconds / 4
            }
        }
        if spinBudget > 0 {
            let stop = monotonicNanoseconds() + spinBudget
            repeat {
                if let got = try system_recv(fd, buffer.baseAddress! + end, space, dontWait: true) {
                    end += got
                    spinBudget = spinNanoseconds
                    return got
                }
                system_yieldProcessor()  // lets the peer run first if it waits for this CPU
            } while monotonicNanoseconds() < stop
            spinBudget = spinBudget >= 4_000 ? spinBudget / 2 : 0
        }
        let got = try system_recv(fd, buffer.baseAddress! + end, space, dontWait: false) ?? 0
        end += got
        return got
    }

    /// A frame bigger than the buffer: take what is buffered, read the rest directly. The body
    /// grows with what arrives (at most doubling), so a peer that announces a long frame and
    /// sends little costs little.
    private func receiveLargeFrame(length: Int) throws -> [UInt8] {
        var body = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[(start + 4)..<end]))
        start = 0
        end = 0
        while body.count < length {
            var filled = body.count
            let chunkEnd = min(length, filled + max(buffer.count, filled))
            body.append(contentsOf: repeatElement(0, count: chunkEnd - filled))
            while filled < chunkEnd {
                let got = try body.withUnsafeMutableBytes { raw in
                    try system_recv(fd, raw.baseAddress! + filled, chunkEnd - filled, dontWait: false) ?? 0
                }
                if got == 0 { throw ManagerError.malformedMessage(reason: "the connection closed in the middle of a message") }
                filled += got
            }
        }
        return body
    }

    /// Stops sending (the peer reads end of file after what was sent), then reads and drops
    /// whatever the peer still sends until it closes or `deadline` passes: closing with unread
    /// bytes would reset a TCP connection and lose the last reply before the peer reads it.
    func discardUntilClosed(deadline: Deadline) {
        system_shutdownWrite(fd)
        start = 0
        end = 0
        while let ready = try? system_poll(fd, events: Int16(POLLIN), deadline: deadline), ready != 0 {
            do {
                if try system_recv(fd, buffer.baseAddress!, buffer.count, dontWait: true) == 0 { return }
            } catch { return }
        }
    }
}
