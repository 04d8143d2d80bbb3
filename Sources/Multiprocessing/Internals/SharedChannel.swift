import CMultiprocessing
import Glibc

// The fast path of `Pipe()`: messages travel through rings of shared memory instead of the
// kernel, so sending a small message costs a copy and a few atomic operations, not a system
// call. The socket pair created with the rings stays the ground truth for what memory cannot
// tell: a process waiting for data (or for space) sleeps in poll(2) on its socket and is woken
// by a one-byte "doorbell" that the other side writes only when it sees the waiting flag; a
// peer that died shows up as end-of-file on the socket. poll(2) and `wait()` therefore work
// on the descriptor as usual.
//
// Layout of the mapping (each ring is a byte stream carrying the same frames as a socket):
//
//     page 0                 open counts: how many Connection objects, summed over every
//                            process, hold end 0 and end 1 (fork adds the child's)
//     ring header (1 page)   writePos @0, readPos @64 (bytes ever written/read, u64),
//                            readerWaiting @128, writerWaiting @132 (u32),
//                            write lock @192, read lock @256 (robust process-shared mutexes)
//     ring data              `ringCapacity` bytes, a power of two
//     (second ring for a duplex pipe)

// MARK: - Ring

/// One direction of a shared channel: a single-producer/single-consumer byte ring whose
/// locks make several writers (or readers) safe, each call being atomic.
struct SharedRing {
    let header: UnsafeMutableRawPointer
    let data: UnsafeMutableRawPointer
    let capacity: Int

    private var writePos: UnsafeMutablePointer<Int64> { header.assumingMemoryBound(to: Int64.self) }
    private var readPos: UnsafeMutablePointer<Int64> { (header + 64).assumingMemoryBound(to: Int64.self) }
    var readerWaiting: UnsafeMutablePointer<UInt32> { (header + 128).assumingMemoryBound(to: UInt32.self) }
    var writerWaiting: UnsafeMutablePointer<UInt32> { (header + 132).assumingMemoryBound(to: UInt32.self) }
    private var writeLock: UnsafeMutablePointer<pthread_mutex_t> { (header + 192).assumingMemoryBound(to: pthread_mutex_t.self) }
    private var readLock: UnsafeMutablePointer<pthread_mutex_t> { (header + 256).assumingMemoryBound(to: pthread_mutex_t.self) }

    init(header: UnsafeMutableRawPointer, data: UnsafeMutableRawPointer, capacity: Int, initialize: Bool) {
        self.header = header
        self.data = data
        self.capacity = capacity
        if initialize {
            system_initRobustMutex(writeLock)
            system_initRobustMutex(readLock)
        }
    }

    /// Bytes written and not read yet.
    @inline(__always)
    var available: Int { Int(writePos.atomicLoad() &- readPos.atomicLoad()) }

    @inline(__always)
    var space: Int { capacity - available }

    // MARK: Locks

    @inline(__always)
    func lockWriters() { system_lockRobust(writeLock) }
    @inline(__always)
    func unlockWriters() { system_unlockRobust(writeLock) }
    @inline(__always)
    func lockReaders() { system_lockRobust(readLock) }
    @inline(__always)
    func unlockReaders() { system_unlockRobust(readLock) }

    // The locks are robust: a holder that died mid-call left the positions as they were at
    // its last completed step (positions are published only after the bytes are in place).

    // MARK: Copying (callers hold the matching lock)

    /// Copies up to `count` available bytes out, publishes the new read position, and returns
    /// how many were copied (0 when the ring is empty).
    @inline(__always)
    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        let start = readPos.atomicLoad()
        let taken = min(count, Int(writePos.atomicLoad() &- start))
        if taken <= 0 { return 0 }
        let offset = Int(start) & (capacity - 1)
        let first = min(taken, capacity - offset)
        destination.copyMemory(from: data + offset, byteCount: first)
        if taken > first { (destination + first).copyMemory(from: data, byteCount: taken - first) }
        readPos.atomicStore(start &+ Int64(taken))
        return taken
    }

    /// Copies `source` in (the caller made sure it fits) without publishing it.
    @inline(__always)
    func stage(_ source: UnsafeRawBufferPointer, at position: Int64) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        let offset = Int(position) & (capacity - 1)
        let first = min(source.count, capacity - offset)
        (data + offset).copyMemory(from: base, byteCount: first)
        if source.count > first { data.copyMemory(from: base + first, byteCount: source.count - first) }
    }

    /// The position the next staged bytes go to.
    @inline(__always)
    var stagingPosition: Int64 { writePos.atomicLoad() }

    /// Makes bytes staged up to `position` visible to readers.
    @inline(__always)
    func publish(upTo position: Int64) { writePos.atomicStore(position) }
}

// MARK: - Channel

/// The shared memory behind one `Pipe()`: one ring per direction and the open counts.
final class SharedChannel {
    static let ringCapacity = 256 * 1024
    private static let page = 4096

    let base: UnsafeMutableRawPointer
    let size: Int
    /// rings[i] carries what end i sends.
    let rings: [SharedRing]

    init(duplex: Bool) throws {
        let ringCount = duplex ? 2 : 1
        size = Self.page + ringCount * (Self.page + Self.ringCapacity)
        base = try system_mapShared(size)
        var rings: [SharedRing] = []
        for index in 0..<ringCount {
            let header = base + Self.page + index * (Self.page + Self.ringCapacity)
            rings.append(SharedRing(header: header, data: header + Self.page, capacity: Self.ringCapacity, initialize: true))
        }
        self.rings = rings
        BinaryCodec.prepareFastPaths()
        openCount(0).pointee = 1
        openCount(1).pointee = 1
    }

    deinit { system_unmap(base, size) }

    /// How many open Connection objects, over all processes, hold end `end`.
    func openCount(_ end: Int) -> UnsafeMutablePointer<UInt32> {
        (base + end * 64).assumingMemoryBound(to: UInt32.self)
    }
}

// MARK: - Open counts across fork

/// The ends of shared channels open in this process, so that a fork can count the child's
/// copies: a `pthread_atfork` handler adds them to the shared open counts.
enum OpenChannelEnds {
    private static let lock = Monitor()
    nonisolated(unsafe) private static var counts: [UnsafeMutablePointer<UInt32>: Int] = [:]
    nonisolated(unsafe) private static var installed = false

    static func opened(_ counter: UnsafeMutablePointer<UInt32>) {
        lock.lock()
        defer { lock.unlock() }
        if !installed {
            installed = true
            // The child's copies are counted before the fork, in the parent: counted in the
            // child, a parent that closes its copy at once could see the count touch zero.
            // (A failed fork leaves the count one too high: the socket still reports the end.)
            system_atFork(
                prepare: {
                    OpenChannelEnds.lock.lock()
                    for (counter, count) in OpenChannelEnds.counts { counter.atomicFetchAdd(UInt32(count)) }
                },
                parent: { OpenChannelEnds.lock.unlock() },
                child: { OpenChannelEnds.lock.unlock() })
        }
        counts[counter, default: 0] += 1
    }

    static func closed(_ counter: UnsafeMutablePointer<UInt32>) {
        lock.lock()
        defer { lock.unlock() }
        if let count = counts[counter] {
            counts[counter] = count > 1 ? count - 1 : nil
        }
        counter.atomicFetchSub(1)
    }
}
