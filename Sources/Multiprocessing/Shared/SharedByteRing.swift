import CMultiprocessing
import Glibc
import Synchronization

/// Why a ring operation did not complete.
enum RingError: Error, Equatable {
    /// The deadline passed: the ring stayed full (put) or empty (get).
    case timedOut
    /// This process closed its handle with ``SharedByteRing/close()``.
    case closed
    /// The one-off segment of a message larger than the ring could not be made or mapped.
    case segmentFailed(SystemError)
}

/// A multi-producer, multi-consumer ring of length-prefixed byte messages in shared memory.
///
/// Create it before forking; every process then puts and gets through the same pages.
///
/// **Records.** Each message is one record: a 4-byte header (bit 31 *segment*, bits 0–28 the
/// payload length) followed by the payload; records wrap around the end of the data area
/// byte by byte. A message too large for the ring goes into a one-off shared-memory segment
/// of its own (``SharedSegments``), written before the producers' lock is taken, and its
/// record (flagged *segment*) carries the segment's size and name; the consumer maps the
/// segment and hands its bytes over at memory speed, whether or not a consumer was waiting.
///
/// **Indices.** `tail` (written only under the producers' lock) and `head` (only under the
/// consumers' lock) each pack a 40-bit byte position and a 24-bit count of whole messages, so
/// one 64-bit release store after the copy publishes a record *and* its message count.
///
/// **Crashes.** A process SIGKILLed mid-put has not moved `tail`: its record never existed.
/// One killed mid-get has not moved `head`: the message stays for the next consumer. The
/// locks hold their owner's pid, so the next locker learns of the death and continues.
///
/// **Waiting.** Waiters spin briefly, then sleep on a futex sequence word; the other side
/// bumps the word and calls `FUTEX_WAKE` only when a sleeper has announced itself.
final class SharedByteRing: @unchecked Sendable {
    private static let segmentFlag: UInt32 = 1 << 31
    private static let lengthMask: UInt32 = (1 << 29) - 1
    private static let byteMask: UInt64 = (1 << 40) - 1
    private static let messageMask: UInt64 = (1 << 24) - 1
    private static let headerBytes = 4
    private static let dataOffset = 4096
    private static let spinLimit = 2000

    /// The largest capacity a ring may have.
    static let maximumCapacity = 1 << 28

    private let region: SharedRegion
    private let producers: FutexMutex
    private let consumers: FutexMutex
    private let tail: UnsafeMutablePointer<Int64>
    private let head: UnsafeMutablePointer<Int64>
    private let dataSequence: UnsafeMutablePointer<UInt32>
    private let dataWaiters: UnsafeMutablePointer<UInt32>
    private let spaceSequence: UnsafeMutablePointer<UInt32>
    private let spaceWaiters: UnsafeMutablePointer<UInt32>
    private let data: UnsafeMutableRawPointer
    private let closedHere = Atomic(false)
    /// The name prefix of this ring's large-message segments.
    private let segmentPrefix: String
    /// This process's last view of the other side's index (see ``LocalView``).
    private let local: UnsafeMutablePointer<LocalView>

    /// Indices as this process last saw them, to avoid reading the other side's cache line
    /// for every message. A cached `head` is a safe lower bound for a producer as long as no
    /// other producer wrote since this one (`tail == tailWritten`); likewise a cached `tail`
    /// for a consumer while `head == headWritten`. Process-local memory (a forked child gets
    /// a copy), touched only under the matching lock.
    private struct LocalView {
        var head: UInt64 = 0
        var tailWritten: UInt64 = 0
        var tail: UInt64 = 0
        var headWritten: UInt64 = 0
    }

    /// Bytes in the data area (a power of two).
    let capacity: Int
    /// The most whole messages the ring holds at once (Python's `maxsize`; `Int.max`: no limit).
    let maxMessages: Int

    /// Creates a ring with room for at least `capacity` bytes of records.
    ///
    /// - Parameters:
    ///   - capacity: data bytes, rounded up to a power of two (at least 4096, at most 256 MiB).
    ///     Pages are mapped lazily, so a large ring costs only what is touched.
    ///   - maxMessages: when positive, a put also waits while this many messages are queued.
    init(capacity: Int, maxMessages: Int = 0) throws {
        precondition(capacity > 0 && capacity <= Self.maximumCapacity, "ring capacity \(capacity) must be in 1...\(Self.maximumCapacity)")
        var size = 4096
        while size < capacity { size <<= 1 }
        self.capacity = size
        self.maxMessages = maxMessages > 0 ? min(maxMessages, Int(Self.messageMask) / 2) : Int(Self.messageMask) / 2
        region = try SharedRegion(size: Self.dataOffset + size, lazily: true)
        let base = region.base
        producers = FutexMutex(at: base)
        consumers = FutexMutex(at: base + 64)
        tail = (base + 128).bindMemory(to: Int64.self, capacity: 1)
        head = (base + 192).bindMemory(to: Int64.self, capacity: 1)
        dataSequence = (base + 256).bindMemory(to: UInt32.self, capacity: 2)
        dataWaiters = dataSequence + 1
        spaceSequence = (base + 320).bindMemory(to: UInt32.self, capacity: 2)
        spaceWaiters = spaceSequence + 1
        data = base + Self.dataOffset
        local = .allocate(capacity: 1)
        local.initialize(to: LocalView())
        segmentPrefix = SharedSegments.prefixForNewRing()
    }

    deinit {
        local.deallocate()
    }

    // MARK: - State

    /// Whole messages currently in the ring (a snapshot; others may change it at once).
    var count: Int {
        let t = UInt64(bitPattern: tail.atomicLoad())
        let h = UInt64(bitPattern: head.atomicLoad())
        return Int(((t >> 40) &- (h >> 40)) & Self.messageMask)
    }

    /// Bytes of records currently in the ring.
    var usedBytes: Int {
        Self.used(UInt64(bitPattern: tail.atomicLoad()), UInt64(bitPattern: head.atomicLoad()))
    }

    /// Whether this process closed its handle.
    var isClosed: Bool { closedHere.load(ordering: .relaxed) }

    /// Closes this process's handle: later puts and gets here throw ``RingError/closed``.
    /// Other processes keep using the ring (as Python's `Queue.close()`, which is per process).
    func close() { closedHere.store(true, ordering: .relaxed) }

    // MARK: - Put

    /// Appends one message, waiting until `deadline` for room.
    ///
    /// - Throws: ``RingError/timedOut`` when there was no room in time (nothing was added),
    ///   ``RingError/closed`` after ``close()``, or a ``SystemError`` when a segment for a
    ///   message larger than the ring cannot be made (``RingError/segmentFailed(_:)``).
    func put(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws {
        if isClosed { throw RingError.closed }
        if Self.headerBytes + bytes.count <= capacity {
            try putRecord(flags: 0, bytes, deadline: deadline)
            return
        }
        // Larger than the ring: a segment of its own, named in a small record.
        let path = SharedSegments.newPath(prefix: segmentPrefix)
        do {
            try system_createSegment(path, bytes)
        } catch {
            throw RingError.segmentFailed(error)
        }
        var descriptor = withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { [UInt8]($0) }
        descriptor.append(contentsOf: path.utf8)
        do {
            try descriptor.withUnsafeBytes { try putRecord(flags: Self.segmentFlag, $0, deadline: deadline) }
        } catch {
            system_unlink(path)
            throw error
        }
    }

    /// Appends one record, waiting until `deadline` for room.
    private func putRecord(flags: UInt32, _ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws {
        try lock(producers, deadline: deadline)
        var published = false
        defer {
            _ = producers.unlock()
            if published { Self.signal(dataSequence, dataWaiters) }
        }
        var t = UInt64(bitPattern: tail.pointee)
        if t != local.pointee.tailWritten { local.pointee.head = UInt64(bitPattern: head.atomicLoad()) }
        let need = Self.headerBytes + bytes.count
        guard wait(until: { self.hasRoom(tail: t, bytes: need) },
                   on: spaceSequence, waiters: spaceWaiters, deadline: deadline)
        else { throw RingError.timedOut }
        t = writeRecord(at: t, flags: flags, bytes.baseAddress, bytes.count)
        storeTail(t)
        published = true
    }

    /// Appends the bytes of an array (see ``put(_:deadline:)``).
    func put(_ bytes: [UInt8], deadline: Deadline) throws {
        try bytes.withUnsafeBytes { try put($0, deadline: deadline) }
    }

    /// Appends one message if there is room right now; returns false (adding nothing) if not.
    ///
    /// - Throws: ``RingError/closed`` after ``close()``.
    func tryPut(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        do {
            try put(bytes, deadline: Deadline(timeout: 0))
            return true
        } catch RingError.timedOut {
            return false
        }
    }

    // MARK: - Get

    /// Removes the oldest message if one is there right now; nil when the ring is empty.
    ///
    /// - Throws: ``RingError/closed`` after ``close()``.
    func tryGet() throws -> [UInt8]? {
        do {
            return try get(deadline: Deadline(timeout: 0))
        } catch RingError.timedOut {
            return nil
        }
    }

    /// Removes the oldest message and returns a copy of its bytes, waiting until `deadline`.
    ///
    /// - Throws: ``RingError/timedOut`` when no message came in time, ``RingError/closed``.
    func get(deadline: Deadline) throws -> [UInt8] {
        try receive(deadline: deadline) { [UInt8]($0) }
    }

    /// Removes the oldest message and hands its bytes to `body` without copying them when
    /// they lie contiguously in the ring (or in a segment of their own). The bytes are valid
    /// only during `body`; the message is consumed even when `body` throws.
    ///
    /// - Throws: ``RingError/timedOut`` when no message came in time, ``RingError/closed``,
    ///   ``RingError/segmentFailed(_:)`` when a large message's segment cannot be mapped.
    func receive<R>(deadline: Deadline, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if isClosed { throw RingError.closed }
        try lock(consumers, deadline: deadline)
        var freed = false
        let segment: (path: String, size: Int)
        do {
            defer {
                _ = consumers.unlock()
                if freed { Self.signal(spaceSequence, spaceWaiters) }
            }
            let h = UInt64(bitPattern: head.pointee)
            if h != local.pointee.headWritten { local.pointee.tail = h }
            guard wait(until: { self.hasData(head: h) },
                       on: dataSequence, waiters: dataWaiters, deadline: deadline)
            else { throw RingError.timedOut }
            let header = readHeader(at: h)
            let length = Int(header & Self.lengthMask)
            let payload = Int((h &+ UInt64(Self.headerBytes)) & UInt64(capacity - 1))
            let next = advance(h, by: length)
            freed = true
            if header & Self.segmentFlag == 0 {
                if payload + length <= capacity {
                    defer { storeHead(next) }
                    return try body(UnsafeRawBufferPointer(start: data + payload, count: length))
                }
                let copy = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                    copyOut(from: h &+ UInt64(Self.headerBytes), into: buffer.baseAddress!, count: length)
                    count = length
                }
                storeHead(next)
                return try copy.withUnsafeBytes(body)
            }
            // A message in a segment: take its name, free the record, map it after unlocking.
            var descriptor = [UInt8](repeating: 0, count: length)
            descriptor.withUnsafeMutableBytes { copyOut(from: h &+ UInt64(Self.headerBytes), into: $0.baseAddress!, count: length) }
            storeHead(next)
            let size = descriptor.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            segment = (String(decoding: descriptor[8...], as: UTF8.self), size)
        }
        let bytes: UnsafeRawBufferPointer
        do {
            bytes = try system_takeSegment(segment.path, size: segment.size)
        } catch {
            throw RingError.segmentFailed(error)
        }
        defer { system_releaseSegment(bytes) }
        return try body(bytes)
    }

    // MARK: - Internals

    @inline(__always)
    private func lock(_ mutex: FutexMutex, deadline: Deadline) throws {
        if mutex.tryLock() { return }
        let (outcome, _) = mutex.lock(deadline: deadline, checkSelf: false)
        // After .ownerDied the indices are consistent all the same (each moved with one
        // store): carry on.
        if outcome == .timedOut || outcome == .wouldDeadlock { throw RingError.timedOut }
    }

    /// Whether a record of `bytes` bytes fits after `t` and the message limit allows one
    /// more, judged first from the cached head.
    @inline(__always)
    private func hasRoom(tail t: UInt64, bytes need: Int) -> Bool {
        if roomWith(head: local.pointee.head, tail: t, bytes: need) { return true }
        local.pointee.head = UInt64(bitPattern: head.atomicLoad())
        return roomWith(head: local.pointee.head, tail: t, bytes: need)
    }

    @inline(__always)
    private func roomWith(head h: UInt64, tail t: UInt64, bytes need: Int) -> Bool {
        guard capacity - Self.used(t, h) >= need else { return false }
        return Int(((t >> 40) &- (h >> 40)) & Self.messageMask) < maxMessages
    }

    /// Whether a record follows `h`, judged first from the cached tail.
    @inline(__always)
    private func hasData(head h: UInt64) -> Bool {
        if local.pointee.tail != h { return true }
        local.pointee.tail = UInt64(bitPattern: tail.atomicLoad())
        return local.pointee.tail != h
    }

    @inline(__always)
    private func storeTail(_ t: UInt64) {
        tail.atomicStore(Int64(bitPattern: t))
        local.pointee.tailWritten = t
    }

    @inline(__always)
    private func storeHead(_ h: UInt64) {
        head.atomicStore(Int64(bitPattern: h))
        local.pointee.headWritten = h
    }

    @inline(__always)
    private static func used(_ t: UInt64, _ h: UInt64) -> Int {
        Int(((t & byteMask) &- (h & byteMask)) & byteMask)
    }

    /// The position after a record of `length` payload bytes at `p` (one more message).
    @inline(__always)
    private func advance(_ p: UInt64, by length: Int) -> UInt64 {
        let bytes = ((p & Self.byteMask) &+ UInt64(Self.headerBytes + length)) & Self.byteMask
        let messages = ((p >> 40) &+ 1) & Self.messageMask
        return messages << 40 | bytes
    }

    /// Copies a record (header + payload) at position `t`; returns the position after it.
    @inline(__always)
    private func writeRecord(at t: UInt64, flags: UInt32, _ payload: UnsafeRawPointer?, _ length: Int) -> UInt64 {
        var header = flags | UInt32(length)
        withUnsafeBytes(of: &header) { copyIn(at: t, from: $0.baseAddress!, count: Self.headerBytes) }
        if length > 0 { copyIn(at: t &+ UInt64(Self.headerBytes), from: payload!, count: length) }
        return advance(t, by: length)
    }

    @inline(__always)
    private func readHeader(at h: UInt64) -> UInt32 {
        var header: UInt32 = 0
        withUnsafeMutableBytes(of: &header) { copyOut(from: h, into: $0.baseAddress!, count: Self.headerBytes) }
        return header
    }

    @inline(__always)
    private func copyIn(at position: UInt64, from source: UnsafeRawPointer, count: Int) {
        let offset = Int(position & UInt64(capacity - 1))
        let first = min(count, capacity - offset)
        memcpy(data + offset, source, first)
        if count > first { memcpy(data, source + first, count - first) }
    }

    @inline(__always)
    private func copyOut(from position: UInt64, into target: UnsafeMutableRawPointer, count: Int) {
        let offset = Int(position & UInt64(capacity - 1))
        let first = min(count, capacity - offset)
        memcpy(target, data + offset, first)
        if count > first { memcpy(target + first, data, count - first) }
    }

    /// Spins, then sleeps on `sequence` until `ready()` or the deadline. Returns `ready()`.
    @inline(__always)
    private func wait(
        until ready: () -> Bool, on sequence: UnsafeMutablePointer<UInt32>,
        waiters: UnsafeMutablePointer<UInt32>, deadline: Deadline
    ) -> Bool {
        if ready() { return true }
        return Self.slowWait(until: ready, on: sequence, waiters: waiters, deadline: deadline)
    }

    private static func slowWait(
        until ready: () -> Bool, on sequence: UnsafeMutablePointer<UInt32>,
        waiters: UnsafeMutablePointer<UInt32>, deadline: Deadline
    ) -> Bool {
        if deadline.nanoseconds != nil, deadline.hasExpired { return false }
        for _ in 0..<spinLimit {
            spinPause()
            if ready() { return true }
        }
        while true {
            waiters.atomicStore(1)
            atomicFence()
            let seen = sequence.atomicLoad()
            if ready() { return true }
            let inTime = system_futexWait(sequence, expected: seen, deadline: deadline)
            if ready() { return true }
            if !inTime { return false }
        }
    }

    /// Wakes every sleeper of `sequence`, if one announced itself.
    ///
    /// The waiters word is a flag, not a count: a sleeper sets it before its last check, the
    /// first waker clears it and wakes everyone. So while woken sleepers wait to be scheduled
    /// (long, on a busy machine) further puts do not repeat the wake-up system call; a
    /// sleeper that goes back to sleep sets the flag again.
    @inline(__always)
    private static func signal(_ sequence: UnsafeMutablePointer<UInt32>, _ waiters: UnsafeMutablePointer<UInt32>) {
        atomicFence()
        if waiters.atomicLoad() != 0, waiters.atomicExchange(0) != 0 {
            sequence.atomicFetchAdd(1)
            system_futexWake(sequence)
        }
    }
}
