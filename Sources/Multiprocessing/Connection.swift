import CMultiprocessing
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
/// `send` are in the library's compact binary encoding of `Codable` values (described in
/// Codec/BinaryFormat.swift): an `Int` takes two or three bytes, a `[UInt8]` its length plus one or two.
///
/// A connection reads ahead: one system call fills a buffer that may hold many messages.
/// So each end must be read by one process (and one thread) at a time, as with Python's
/// connections; an end that several processes read from must be guarded by a lock held
/// across the whole `recv`, and even then messages one process read ahead stay with it.
///
/// Connections made by ``Pipe(duplex:)`` pass messages through shared memory and never raise
/// `SIGPIPE`. A connection over a plain pipe descriptor (see `init(descriptor:readable:writable:)`)
/// would: creating one sets `SIGPIPE` to be ignored (as Python does at start-up) unless the
/// program installed its own handler, so writing to a pipe whose reader has gone throws
/// ``ConnectionError/brokenPipe`` instead of killing the process.
///
/// A closed peer is noticed at once when every process holding it called `close()`; a peer
/// process that ended without closing is noticed by the socket, so a few messages sent to it
/// may still succeed (as when the kernel buffers them for a socket) before
/// ``ConnectionError/brokenPipe``.
///
/// A connection is not thread-safe, like Python's: use each end from one thread at a time.
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

    /// For connections made by ``Pipe(duplex:)``: the shared rings the messages travel
    /// through (see SharedChannel.swift); the descriptor then carries only wake-ups and
    /// end-of-file. Nil for a connection over a plain descriptor.
    /// They stay mapped until the connection is released, even after `close()`.
    private let channel: SharedChannel?
    private let inbound: SharedRing?
    private let outbound: SharedRing?
    /// Which end of the channel this is (0 or 1).
    private let end: Int
    /// Whether the socket reported end-of-file: every process holding the other end is gone.
    private var socketEnded = false
    /// A second socket for messages larger than `largeMessage`: the kernel moves big blocks
    /// faster than a ring can, and the ring keeps their place in order with a marker frame.
    private var bulkDescriptor: Int32 = -1
    /// Whether the frame being read announced a payload on the bulk socket.
    private var pendingBulk = false

    /// Bytes read ahead at most; larger messages are read straight into their destination.
    static let bufferCapacity = 64 * 1024
    /// Socket buffer size asked for each way (the kernel caps it at net.core.wmem_max).
    static let socketBufferSize: Int32 = 4 * 1024 * 1024
    /// Messages larger than this grow a pipe's kernel buffer, so big transfers take fewer switches.
    static let largeMessage = 64 * 1024
    /// Frame header: 4-byte little-endian length; this value announces an 8-byte length.
    static let longLengthMarker = UInt32.max
    /// The longest message accepted (1 TiB).
    static let maximumLength: UInt64 = 1 << 40
    /// In a shared ring: an 8-byte length follows, and the payload travels on the bulk socket.
    static let bulkMarker = UInt32.max - 1

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
        (channel, inbound, outbound, end) = (nil, nil, nil, 0)
        if !isSocket, writable { system_ignoreBrokenPipeSignal() }
    }

    /// One end of a shared channel whose wake-ups travel over `descriptor` (a socket).
    init(descriptor: Int32, bulkDescriptor: Int32, readable: Bool, writable: Bool, channel: SharedChannel,
         end: Int, inbound: SharedRing?, outbound: SharedRing?) {
        self.descriptor = descriptor
        self.bulkDescriptor = bulkDescriptor
        self.readable = readable
        self.writable = writable
        self.isSocket = true
        self.channel = channel
        self.end = end
        self.inbound = inbound
        self.outbound = outbound
        OpenChannelEnds.opened(channel.openCount(end))
    }

    deinit {
        if descriptor >= 0 {
            if let channel { OpenChannelEnds.closed(channel.openCount(end)) }
            system_close(descriptor)
        }
        if bulkDescriptor >= 0 { system_close(bulkDescriptor) }
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

    /// Whether a receive would not block: bytes read ahead, bytes in the shared ring, or an
    /// other end known to be gone.
    var isReadyNow: Bool {
        if tail > head { return true }
        guard let inbound, descriptor >= 0 else { return false }
        return inbound.available > 0 || peerGone
    }

    /// Whether readiness comes from the shared ring rather than from the descriptor alone.
    var usesSharedRing: Bool { inbound != nil }

    /// Closes this end. Further use throws ``ConnectionError/closed``; calling it again does
    /// nothing. The other end sees end-of-file once every process has closed this end.
    public func close() throws {
        guard descriptor >= 0 else { return }
        if let channel { OpenChannelEnds.closed(channel.openCount(end)) }
        system_close(descriptor)
        descriptor = -1
        if bulkDescriptor >= 0 { system_close(bulkDescriptor) }
        bulkDescriptor = -1
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
        // Scalars: the whole frame is built on the stack.
        var small = (UInt64(0), UInt64(0), UInt64(0))
        let sent = try withUnsafeMutableBytes(of: &small) { raw throws -> Bool in
            guard let size = BinaryCodec.encodeScalar(value, into: raw.baseAddress! + 4) else { return false }
            raw.storeBytes(of: UInt32(size).littleEndian, as: UInt32.self)
            try writeFrame(header: UnsafeRawBufferPointer(rebasing: raw[0..<4 + size]), payload: UnsafeRawBufferPointer(start: nil, count: 0))
            return true
        }
        if sent { return }
        sendBuffer.removeAll(keepingCapacity: true)
        sendBuffer.append(contentsOf: [0, 0, 0, 0] as [UInt8])
        try BinaryCodec.encode(value, appendingTo: &sendBuffer)
        let length = sendBuffer.count - 4
        if length <= Self.largeMessage {
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
        if !isSocket, !pipeGrown, outbound == nil, total > Self.largeMessage {
            pipeGrown = true
            system_setPipeSize(descriptor, 1024 * 1024)
        }
        if let outbound { return try ringWrite(outbound, header, payload) }
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
        if length <= Self.bufferCapacity, !pendingBulk {
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
        if let inbound { return try waitUntilReadable(inbound, deadline: Deadline(timeout: timeout)) }
        return try system_poll(descriptor, events: Int16(POLLIN), deadline: Deadline(timeout: timeout)) != 0
    }

    // MARK: Frames

    /// Reads a frame header and returns the payload length; `head` is then at the payload.
    private func readHeader() throws -> Int {
        try fill(atLeast: 4)
        let short = UInt32(littleEndian: buffer!.loadUnaligned(fromByteOffset: head, as: UInt32.self))
        if short != Self.longLengthMarker, short != Self.bulkMarker || inbound == nil {
            head += 4
            return Int(short)
        }
        pendingBulk = short == Self.bulkMarker
        try fill(atLeast: 12)
        let long = UInt64(littleEndian: buffer!.loadUnaligned(fromByteOffset: head + 4, as: UInt64.self))
        head += 12
        // A length no sender could have written means the stream is not made of our frames
        // (for example a socket that something else wrote to): refuse it rather than allocate.
        guard long <= Self.maximumLength else {
            throw CodecError.corrupt(offset: 0, reason: "frame length \(long) is larger than \(Self.maximumLength) bytes")
        }
        return Int(long)
    }

    /// The payload of a frame whose header said it travels on the bulk socket.
    private func readBulk(into destination: UnsafeMutableRawPointer, length: Int) throws {
        pendingBulk = false
        var done = 0
        while done < length {
            let got: Int
            do {
                got = try system_receiveAll(bulkDescriptor, destination + done, length - done)
            } catch {
                if error.errno == ECONNRESET { throw ConnectionError.endOfFile }
                throw error
            }
            if got == 0 { throw ConnectionError.endOfFile }
            done += got
        }
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
        if let inbound { return try ringRead(inbound, into: destination, count: count) }
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
        if pendingBulk { return try readBulk(into: destination, length: length) }
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
        if pendingBulk { _ = try readPayload(length: length); return }
        var left = length
        while left > 0 {
            try fill(atLeast: min(left, Self.bufferCapacity))
            let taken = min(left, tail - head)
            head += taken
            left -= taken
            if head == tail { head = 0; tail = 0 }
        }
    }

    // MARK: - Shared rings

    /// Whether the other end is closed in every process (by count), or the socket said so.
    private var peerGone: Bool {
        if socketEnded { return true }
        guard let channel else { return true }
        return channel.openCount(1 - end).atomicLoad() == 0
    }

    /// How long a waiter spins on the ring before it sleeps: a sender usually follows soon.
    private static let spinNanoseconds: Int64 = 50_000
    /// A sleeper re-checks the ring at least this often, so a lost wake-up costs a delay, not a hang.
    private static let sleepSliceNanoseconds: Int64 = 100_000_000

    /// Reads at least one byte from the ring, waiting for it; end-of-file once the ring is
    /// empty and the other end is gone.
    private func ringRead(_ ring: SharedRing, into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            ring.lockReaders()
            let got = ring.read(into: destination, count: count)
            ring.unlockReaders()
            if got > 0 {
                wakeWriter(of: ring)
                return got
            }
            if peerGone {
                // Bytes sent just before the close are in the ring already: look once more.
                ring.lockReaders()
                let last = ring.read(into: destination, count: count)
                ring.unlockReaders()
                if last > 0 { return last }
                throw ConnectionError.endOfFile
            }
            _ = try waitUntilReadable(ring, deadline: .forever)
        }
    }

    /// Writes one frame into the ring under the writers' lock, so frames of several writers
    /// never mix. A payload larger than `largeMessage` goes to the bulk socket, announced by a
    /// marker frame in the ring that keeps its place among the other messages.
    private func ringWrite(_ ring: SharedRing, _ header: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) throws {
        if peerGone { throw ConnectionError.brokenPipe }
        ring.lockWriters()
        defer { ring.unlockWriters() }
        if payload.count > Self.largeMessage {
            var marker = (Self.bulkMarker.littleEndian, UInt32(truncatingIfNeeded: payload.count).littleEndian,
                          UInt32(truncatingIfNeeded: payload.count >> 32).littleEndian)
            try withUnsafeBytes(of: &marker) { try ringPut(ring, $0, UnsafeRawBufferPointer(start: nil, count: 0)) }
            do {
                try system_writeAll(bulkDescriptor, isSocket: true, UnsafeRawBufferPointer(start: nil, count: 0), payload)
            } catch {
                if error.errno == EPIPE || error.errno == ECONNRESET { throw ConnectionError.brokenPipe }
                throw error
            }
            return
        }
        try ringPut(ring, header, payload)
    }

    /// Copies one whole frame (it fits in the ring) in, publishes it and wakes the reader.
    @inline(__always)
    private func ringPut(_ ring: SharedRing, _ header: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) throws {
        let total = header.count + payload.count
        if ring.space < total { try waitUntilWritable(ring, needed: total) }
        let start = ring.stagingPosition
        ring.stage(header, at: start)
        ring.stage(payload, at: start &+ Int64(header.count))
        ring.publish(upTo: start &+ Int64(total))
        try wakeReader(of: ring)
    }

    /// Rings the reader's doorbell if it is asleep (or about to be).
    @inline(__always)
    private func wakeReader(of ring: SharedRing) throws {
        guard Self.takeWaiting(ring.readerWaiting) else { return }
        if !ringDoorbell() { throw ConnectionError.brokenPipe }
    }

    /// Rings the writer's doorbell if it waits for space.
    @inline(__always)
    private func wakeWriter(of ring: SharedRing) {
        guard Self.takeWaiting(ring.writerWaiting) else { return }
        _ = ringDoorbell()
    }

    /// Whether a waiter asked for a doorbell through `flag`; clears it, so one ringer answers.
    @inline(__always)
    private static func takeWaiting(_ flag: UnsafeMutablePointer<UInt32>) -> Bool {
        atomicFence()
        guard flag.atomicLoad() != 0 else { return false }
        var expected: UInt32 = 1
        return flag.atomicCompareExchange(expected: &expected, desired: 0)
    }

    /// Writes one wake-up byte to the other end; false when the other end is gone.
    private func ringDoorbell() -> Bool {
        if system_sendWakeUp(descriptor) { return true }
        socketEnded = true
        return false
    }

    /// Reads the wake-up bytes that arrived; notes end-of-file.
    private func drainDoorbells() {
        if system_drainWakeUps(descriptor) { socketEnded = true }
    }

    /// Spins briefly, then sleeps in poll(2) until the ring has bytes, the other end is gone,
    /// or `deadline` passes. Returns whether a receive would now not block.
    private func waitUntilReadable(_ ring: SharedRing, deadline: Deadline) throws -> Bool {
        if ring.available > 0 || peerGone { return true }
        if !deadline.hasExpired, spin(until: deadline, { ring.available > 0 }) { return true }
        while true {
            armWait()
            atomicFence()
            if ring.available > 0 || peerGone {
                ring.readerWaiting.atomicStore(0)
                return true
            }
            let revents = try system_poll(descriptor, events: Int16(POLLIN), deadline: Self.slice(of: deadline))
            disarmWait(polledReady: revents != 0)
            if ring.available > 0 || peerGone { return true }
            if deadline.hasExpired { return false }
        }
    }

    /// Spins, then sleeps until the ring has room for `needed` bytes; throws
    /// ``ConnectionError/brokenPipe`` when the other end is gone.
    private func waitUntilWritable(_ ring: SharedRing, needed: Int) throws {
        if spin(until: .forever, { ring.space >= needed }) { return }
        while true {
            ring.writerWaiting.atomicStore(1)
            atomicFence()
            if ring.space >= needed {
                ring.writerWaiting.atomicStore(0)
                return
            }
            if peerGone {
                ring.writerWaiting.atomicStore(0)
                throw ConnectionError.brokenPipe
            }
            let revents = try system_poll(descriptor, events: Int16(POLLIN), deadline: Self.slice(of: .forever))
            ring.writerWaiting.atomicStore(0)
            if revents != 0 { drainDoorbells() }
        }
    }

    /// Waits up to `spinNanoseconds` (never past `deadline`) for `condition` without sleeping:
    /// a few hundred pause instructions (the other side may be answering on another core),
    /// then `sched_yield` (on a busy machine the other side may need this core to answer).
    @inline(__always)
    private func spin(until deadline: Deadline, _ condition: () -> Bool) -> Bool {
        for _ in 0..<256 {
            if condition() { return true }
            spinPause()
        }
        var stop = monotonicNanoseconds() + Self.spinNanoseconds
        if let limit = deadline.nanoseconds { stop = min(stop, limit) }
        while true {
            if condition() { return true }
            if monotonicNanoseconds() >= stop { return false }
            system_yieldProcessor()
        }
    }

    /// At most one sleep slice of `deadline`.
    static func slice(of deadline: Deadline) -> Deadline {
        let cap = monotonicNanoseconds() + sleepSliceNanoseconds
        return Deadline(nanoseconds: min(deadline.nanoseconds ?? cap, cap))
    }

    /// Before sleeping on the descriptor: asks writers to ring the doorbell.
    func armWait() {
        if let inbound { inbound.readerWaiting.atomicStore(1) }
    }

    /// After sleeping: withdraws the request and reads the wake-ups (or end-of-file).
    func disarmWait(polledReady: Bool) {
        guard let inbound else { return }
        inbound.readerWaiting.atomicStore(0)
        if polledReady { drainDoorbells() }
    }
}

extension Connection: CustomStringConvertible {
    /// `<Connection fd=5 readable writable>`, or `<Connection closed>`.
    public var description: String {
        guard descriptor >= 0 else { return "<Connection closed>" }
        return "<Connection fd=\(descriptor)\(readable ? " readable" : "")\(writable ? " writable" : "")>"
    }
}
