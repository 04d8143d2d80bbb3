import Synchronization

/// A process-shared FIFO queue of `Codable` items: Python's `multiprocessing.Queue`.
///
/// Create the queue before starting the processes that use it; any of them may put and get.
/// With many producers and consumers nothing is lost or duplicated, and the items of each
/// producer come out in the order it put them.
///
/// ```swift
/// let queue = try Queue<Int>()
/// let worker = Process { try queue.put(42) }
/// try worker.start()
/// print(try queue.get())   // 42
/// ```
///
/// **Difference from Python.** Python's `put` hands the item to a background feeder thread
/// and returns at once; ours encodes it (the library's compact binary `Codable` encoding) straight
/// into a ring buffer in shared memory, so when `put` returns the item is already visible to
/// every process and there is nothing to flush (no `join_thread()` / `cancel_join_thread()`).
/// An unbounded queue (`maxSize` 0) is a 16 MiB ring whose pages are mapped lazily; `put`
/// blocks only when that much data is waiting (Python's feeder thread would keep buffering
/// in the producer's memory instead, and its `join()` would then hang). An item larger than
/// the ring travels in a shared-memory segment of its own (a file in `/dev/shm`, removed as
/// it is taken, or when the process that created the queue exits if no one took it): it
/// moves at memory speed, and `put` returns at once even with no consumer waiting. It needs
/// that much free room in `/dev/shm`.
public class Queue<Element: Codable>: @unchecked Sendable {
    /// The default ring size of an unbounded queue, in bytes.
    static var unboundedCapacity: Int { 16 << 20 }

    let ring: SharedByteRing
    private let scratch = Mutex<[UInt8]>([])

    /// The most items the queue holds (0: no limit but memory).
    public let maxSize: Int

    /// Creates a queue.
    ///
    /// - Parameter maxSize: when positive, ``put(_:block:timeout:)`` waits while this many
    ///   items are queued (Python's `maxsize`).
    /// - Throws: ``QueueError/invalidMaxSize(_:)`` when `maxSize` is negative.
    public init(maxSize: Int = 0) throws {
        guard maxSize >= 0 else { throw QueueError.invalidMaxSize(maxSize) }
        self.maxSize = maxSize
        let capacity = maxSize == 0 ? Self.unboundedCapacity : min(Self.unboundedCapacity, max(64 << 10, maxSize &* 1024))
        ring = try SharedByteRing(capacity: capacity, maxMessages: maxSize)
    }

    // MARK: - Putting

    /// Puts `item` at the end of the queue.
    ///
    /// - Parameters:
    ///   - item: the value to send.
    ///   - block: when false, fail at once if there is no room.
    ///   - timeout: seconds to wait for room at most (nil: forever); ignored when `block` is false.
    /// - Throws: ``QueueError/full`` when there was no room in time, ``QueueError/closed``
    ///   after ``close()``, the encoder's error, or a ``SystemError`` when the segment for an
    ///   item larger than the ring cannot be written (e.g. `/dev/shm` is full).
    public func put(_ item: Element, block: Bool = true, timeout: Double? = nil) throws {
        try putEncoded(item, deadline: Deadline(block: block, timeout: timeout))
    }

    /// Puts without waiting (Python's `put_nowait`); throws ``QueueError/full`` when full.
    public func putNowait(_ item: Element) throws { try put(item, block: false) }

    func putEncoded(_ item: Element, deadline: Deadline) throws {
        var buffer = scratch.withLock { cached -> [UInt8] in
            var taken: [UInt8] = []
            swap(&taken, &cached)
            return taken
        }
        defer {
            // Kept for the next put, unless it held an item too large for the ring (which
            // would keep that much memory for the queue's lifetime).
            scratch.withLock { cached in
                if cached.capacity < buffer.capacity, buffer.capacity <= ring.capacity { swap(&cached, &buffer) }
            }
        }
        buffer.removeAll(keepingCapacity: true)
        try BinaryCodec.encode(item, appendingTo: &buffer)
        do {
            try buffer.withUnsafeBytes { try ring.put($0, deadline: deadline) }
        } catch RingError.timedOut {
            throw QueueError.full
        } catch RingError.closed {
            throw QueueError.closed
        } catch RingError.segmentFailed(let error) {
            throw error
        }
    }

    // MARK: - Getting

    /// Removes and returns the item at the front of the queue.
    ///
    /// - Parameters:
    ///   - block: when false, fail at once if the queue is empty.
    ///   - timeout: seconds to wait for an item at most (nil: forever); ignored when `block`
    ///     is false.
    /// - Throws: ``QueueError/empty`` when no item came in time, ``QueueError/closed`` after
    ///   ``close()``, or a ``CodecError`` when the item cannot be decoded as `Element`.
    public func get(block: Bool = true, timeout: Double? = nil) throws -> Element {
        do {
            return try ring.receive(deadline: Deadline(block: block, timeout: timeout)) {
                try BinaryCodec.decode(Element.self, from: $0)
            }
        } catch RingError.timedOut {
            throw QueueError.empty
        } catch RingError.closed {
            throw QueueError.closed
        } catch RingError.segmentFailed(let error) {
            throw error
        }
    }

    /// Gets without waiting (Python's `get_nowait`); throws ``QueueError/empty`` when empty.
    public func getNowait() throws -> Element { try get(block: false) }

    // MARK: - State

    /// The number of items queued (a snapshot: other processes may change it at once).
    public func qsize() -> Int { ring.count }

    /// Whether the queue is empty (a snapshot).
    public func empty() -> Bool { ring.count == 0 }

    /// Whether the queue holds `maxSize` items (a snapshot; always false when unbounded).
    public func full() -> Bool { maxSize > 0 && ring.count >= maxSize }

    /// Closes the queue in this process: later puts and gets here throw ``QueueError/closed``.
    /// Other processes are not affected (as in Python, where `close()` is per process).
    public func close() { ring.close() }
}
