import Glibc

/// One end of a ``Pipe(duplex:)``: sends and receives whole messages, like Python's
/// `multiprocessing.connection.Connection`.
///
/// ``send(_:)`` takes any `Encodable` value and ``recv(_:)`` returns it, decoded, on the other
/// end (in another process or this one); ``sendBytes(_:offset:size:)`` and ``recvBytes(maxLength:)``
/// move raw bytes. Messages keep their boundaries and may be of any size: a message of
/// hundreds of megabytes arrives whole.
///
/// When the other end is closed (by `close()`, or because every process holding it ended),
/// `recv` throws ``ConnectionError/endOfFile`` once the messages already sent are read; it
/// never waits forever. Sending to a closed end throws ``ConnectionError/brokenPipe``.
///
/// On the wire each message is a frame: its length as 4 bytes, little-endian, then the
/// payload (lengths of 4 GiB and more are written as `FF FF FF FF` and 8 bytes). Payloads of
/// `send` are in the ``BinaryFormat`` encoding.
///
/// A connection reads ahead: one system call fills a buffer that may hold many messages.
/// So each end must be read by one process (and one thread) at a time, as with Python's
/// connections; an end that several processes read from must be guarded by a lock held
/// across the whole `recv`, and even then messages one process read ahead stay with it.
///
/// Writing to a pipe whose reader has gone would normally kill the process with `SIGPIPE`:
/// creating the first pipe-backed connection sets `SIGPIPE` to be ignored (as Python does at
/// start-up) unless the program installed its own handler. Socket connections never raise it.
public final class Connection {
    // MARK: State

    /// The descriptor, or -1 once closed.
    private var descriptor: Int32
    /// Whether this end can receive.
    public let readable: Bool
    /// Whether this end can send.
    public let writable: Bool
    /// Sockets are written with `MSG_NOSIGNAL`; pipes rely on `SIGPIPE` being ignored.
    let isSocket: Bool
    /// Whether a read may take more bytes than the current message needs. Turn it off for an
    /// end that several processes read from, under a lock, so none keeps another's messages.
    var readsAhead = true

    /// Received bytes not handed out yet: `buffer[head..<tail]`. Allocated on first receive.
    private var buffer: UnsafeMutableRawPointer?
    private var head = 0
    private var tail = 0
    /// The frame being sent, reused from message to message.
    private var sendBuffer: [UInt8] = []
    /// Whether a pipe's kernel buffer was already grown for large messages.
    private var pipeGrown = false

    /// Bytes read ahead at most; larger messages are read straight into their destination.
    static let bufferCapacity = 64 * 1024
    /// Socket buffer size asked for each way (the kernel caps it at net.core.wmem_max).
    static let socketBufferSize: Int32 = 4 * 1024 * 1024
    /// Messages larger than this grow a pipe's kernel buffer, so big transfers take fewer switches.
    static let largeMessage = 64 * 1024
    /// Frame header: 4-byte little-endian length; this value announces an 8-byte length.
    static let longLengthMarker = UInt32.max

    // MARK: Creating

    /// Wraps an open descriptor (a socket, or one end of a pipe); the connection owns it and
    /// closes it in ``close()`` or when it is released.
    ///
    /// - Parameters:
    ///   - descriptor: The open descriptor. A forked child inherits it.
    ///   - readable: Whether this end may receive.
    ///   - writable: Whether this end may send.
    init(descriptor: Int32, readable: Bool, writable: Bool) {
        self.descriptor = descriptor
        self.readable = readable
        self.writable = writable
        self.isSocket = system_isSocket(descriptor)
        if !isSocket, writable { system_ignoreBrokenPipeSignal() }
    }

    init(descriptor: Int32, readable: Bool, writable: Bool, isSocket: Bool) {
        self.descriptor = descriptor
        self.readable = readable
        self.writable = writable
        self.isSocket = isSocket
        if !isSocket, writable { system_ignoreBrokenPipeSignal() }
    }

    deinit {
        if descriptor >= 0 { system_close(descriptor) }
        buffer?.deallocate()
    }

    // MARK: Inspecting

    /// Whether ``close()`` was called.
    public var closed: Bool { descriptor < 0 }

    /// The underlying file descriptor, for ``wait(sentinels:timeout:)`` or poll(2).
    ///
    /// - Throws: ``ConnectionError/closed`` after `close()`.
    public func fileno() throws -> Int32 {
        guard descriptor >= 0 else { throw ConnectionError.closed }
        return descriptor
    }

    /// Whether bytes read ahead are waiting in this process (no system call needed).
    var hasBufferedData: Bool { tail > head }

    /// Closes this end. Further use throws ``ConnectionError/closed``; calling it again does
    /// nothing. The other end sees end-of-file once every process has closed this end.
    public func close() throws {
        guard descriptor >= 0 else { return }
        system_close(descriptor)
        descriptor = -1
        buffer?.deallocate()
        buffer = nil
        head = 0
        tail = 0
        sendBuffer = []
    }

    private func checkReadable() throws(ConnectionError) {
        if descriptor < 0 { throw .closed }
        if !readable { throw .notReadable }
    }

    private func checkWritable() throws(ConnectionError) {
        if descriptor < 0 { throw .closed }
        if !writable { throw .notWritable }
    }

    // MARK: - Sending

    /// Sends `value` as one message; the other end gets it with ``recv(_:)``.
    ///
    /// - Throws: ``ConnectionError/brokenPipe`` when the other end is closed,
    ///   ``ConnectionError/closed`` or ``ConnectionError/notWritable`` on misuse, ``CodecError``
    ///   when the value cannot be encoded.
    public func send<T: Encodable>(_ value: T) throws {
        try checkWritable()
        sendBuffer.removeAll(keepingCapacity: true)
        sendBuffer.append(contentsOf: [0, 0, 0, 0] as [UInt8])
        try BinaryCodec.encode(value, appendingTo: &sendBuffer)
        let length = sendBuffer.count - 4
        if length < Int(Self.longLengthMarker) {
            sendBuffer.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self) }
            try sendBuffer.withUnsafeBytes { try writeFrame(header: $0, payload: UnsafeRawBufferPointer(start: nil, count: 0)) }
        } else {
            try sendBuffer.withUnsafeBytes { try writeFrame(payload: UnsafeRawBufferPointer(rebasing: $0[4...])) }
        }
        if sendBuffer.capacity > 4 * Self.bufferCapacity { sendBuffer = [] }
    }

    /// Sends `bytes[offset..<offset + size]` as one message; the other end gets it with
    /// ``recvBytes(maxLength:)``. `size` nil means to the end.
    ///
    /// - Throws: ``ConnectionError/invalidRange(offset:size:count:)`` for a range outside the
    ///   array, and the errors of ``send(_:)``.
    public func sendBytes(_ bytes: [UInt8], offset: Int = 0, size: Int? = nil) throws {
        let size = size ?? bytes.count - offset
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else {
            throw ConnectionError.invalidRange(offset: offset, size: size, count: bytes.count)
        }
        try bytes.withUnsafeBytes { try sendBytes(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + size])) }
    }

    /// Sends the bytes of `bytes` as one message, without copying them first.
    ///
    /// - Throws: The errors of ``send(_:)``.
    public func sendBytes(_ bytes: UnsafeRawBufferPointer) throws {
        try checkWritable()
        try writeFrame(payload: bytes)
    }

    /// Writes one frame: the length header for `payload`, then `payload`, in one system call
    /// when the kernel takes it all.
    private func writeFrame(payload: UnsafeRawBufferPointer) throws {
        if payload.count < Int(Self.longLengthMarker) {
            var header = UInt32(payload.count).littleEndian
            try withUnsafeBytes(of: &header) { try writeFrame(header: $0, payload: payload) }
        } else {
            var header = (Self.longLengthMarker, UInt64(payload.count).littleEndian)
            try withUnsafeBytes(of: &header) { raw in
                // The tuple is padded: the marker is bytes 0..<4, the length bytes 8..<16.
                var packed = [UInt8](raw[0..<4])
                packed += raw[8..<16]
                try packed.withUnsafeBytes { try writeFrame(header: $0, payload: payload) }
            }
        }
    }

    private func writeFrame(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws {
        let total = header.count + payload.count
        if !isSocket, !pipeGrown, total > Self.largeMessage {
            pipeGrown = true
            system_setPipeSize(descriptor, 1024 * 1024)
        }
        do {
            try system_writeAll(descriptor, isSocket: isSocket, header, payload)
        } catch {
            if error.errno == EPIPE || error.errno == ECONNRESET { throw ConnectionError.brokenPipe }
            throw error
        }
    }

    // MARK: - Receiving

    /// Receives the next message, decoded as `T`. Blocks until a message arrives.
    ///
    /// - Throws: ``ConnectionError/endOfFile`` when the other end is closed and no message is
    ///   left, ``CodecError`` when the message is not a `T` (the message is consumed),
    ///   ``ConnectionError/closed`` or ``ConnectionError/notReadable`` on misuse.
    public func recv<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try checkReadable()
        let length = try readHeader()
        if length <= Self.bufferCapacity {
            try fill(atLeast: length)
            let start = head
            head += length
            defer { if head == tail { head = 0; tail = 0 } }
            return try BinaryCodec.decode(T.self, from: UnsafeRawBufferPointer(start: buffer! + start, count: length))
        }
        let payload = try readPayload(length: length)
        return try payload.withUnsafeBytes { try BinaryCodec.decode(T.self, from: $0) }
    }

    /// Receives the next message as raw bytes (sent with ``sendBytes(_:offset:size:)``, or the
    /// encoded form of a value sent with ``send(_:)``).
    ///
    /// - Parameter maxLength: The longest message accepted; a longer one is read, dropped and
    ///   reported with ``ConnectionError/messageTooLong(length:maxLength:)``.
    /// - Throws: ``ConnectionError/endOfFile`` when the other end is closed and no message is left.
    public func recvBytes(maxLength: Int? = nil) throws -> [UInt8] {
        try checkReadable()
        let length = try readHeader()
        if let maxLength, length > maxLength {
            try discard(length: length)
            throw ConnectionError.messageTooLong(length: length, maxLength: maxLength)
        }
        return try readPayload(length: length)
    }

    /// Receives the next message into `destination` starting at `offset`, and returns its
    /// length, like Python's `recv_bytes_into`.
    ///
    /// - Throws: ``ConnectionError/bufferTooShort(message:)`` (carrying the message) when it
    ///   does not fit, ``ConnectionError/invalidRange(offset:size:count:)`` for a bad offset.
    public func recvBytes(into destination: UnsafeMutableRawBufferPointer, offset: Int = 0) throws -> Int {
        try checkReadable()
        guard offset >= 0, offset <= destination.count else {
            throw ConnectionError.invalidRange(offset: offset, size: 0, count: destination.count)
        }
        let length = try readHeader()
        guard length <= destination.count - offset else {
            throw ConnectionError.bufferTooShort(message: try readPayload(length: length))
        }
        if length > 0 { try readPayload(into: destination.baseAddress! + offset, length: length) }
        return length
    }

    /// Whether a message (or end-of-file) can be received without blocking, waiting up to
    /// `timeout` seconds for one; nil waits as long as it takes. Python's default is 0.
    ///
    /// - Throws: ``ConnectionError/closed`` or ``ConnectionError/notReadable`` on misuse.
    public func poll(timeout: Double? = 0) throws -> Bool {
        try checkReadable()
        if tail > head { return true }
        return try system_poll(descriptor, events: Int16(POLLIN), deadline: Deadline(timeout: timeout)) != 0
    }

    // MARK: Frames

    /// Reads a frame header and returns the payload length; `head` is then at the payload.
    private func readHeader() throws -> Int {
        try fill(atLeast: 4)
        let short = UInt32(littleEndian: buffer!.loadUnaligned(fromByteOffset: head, as: UInt32.self))
        if short != Self.longLengthMarker {
            head += 4
            return Int(short)
        }
        try fill(atLeast: 12)
        let long = UInt64(littleEndian: buffer!.loadUnaligned(fromByteOffset: head + 4, as: UInt64.self))
        head += 12
        guard long <= UInt64(Int.max) else { throw CodecError.corrupt(offset: 0, reason: "frame length \(long) is impossibly large") }
        return Int(long)
    }

    /// Makes at least `count` bytes (at most `bufferCapacity`) available at `buffer[head...]`.
    @inline(__always)
    private func fill(atLeast count: Int) throws {
        if tail - head >= count { return }
        try refill(atLeast: count)
    }

    private func refill(atLeast count: Int) throws {
        let capacity = Self.bufferCapacity
        if buffer == nil { buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16) }
        let base = buffer!
        if capacity - head < count {
            (base).copyMemory(from: base + head, byteCount: tail - head)
            tail -= head
            head = 0
        }
        while tail - head < count {
            let want = readsAhead ? capacity - tail : count - (tail - head)
            let got = try readSome(into: base + tail, count: want)
            tail += got
        }
    }

    /// One read(2); end-of-file (or a reset peer) becomes ``ConnectionError/endOfFile``.
    @inline(__always)
    private func readSome(into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let got: Int
        do {
            got = try system_read(descriptor, destination, count)
        } catch {
            if error.errno == ECONNRESET { throw ConnectionError.endOfFile }
            throw error
        }
        if got == 0 { throw ConnectionError.endOfFile }
        return got
    }

    /// Reads a payload of `length` bytes into a new array: what was read ahead, then the rest
    /// straight from the descriptor.
    private func readPayload(length: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: length) { destination, initialized in
            if length > 0 { try readPayload(into: destination.baseAddress!, length: length) }
            initialized = length
        }
    }

    private func readPayload(into destination: UnsafeMutableRawPointer, length: Int) throws {
        let buffered = min(tail - head, length)
        if buffered > 0 {
            destination.copyMemory(from: buffer! + head, byteCount: buffered)
            head += buffered
            if head == tail { head = 0; tail = 0 }
        }
        var done = buffered
        while done < length {
            done += try readSome(into: destination + done, count: length - done)
        }
    }

    /// Reads and drops a payload of `length` bytes.
    private func discard(length: Int) throws {
        var left = length
        while left > 0 {
            try fill(atLeast: min(left, Self.bufferCapacity))
            let taken = min(left, tail - head)
            head += taken
            left -= taken
            if head == tail { head = 0; tail = 0 }
        }
    }
}

extension Connection: CustomStringConvertible {
    /// `<Connection fd=5 readable writable>`, or `<Connection closed>`.
    public var description: String {
        guard descriptor >= 0 else { return "<Connection closed>" }
        return "<Connection fd=\(descriptor)\(readable ? " readable" : "")\(writable ? " writable" : "")>"
    }
}
