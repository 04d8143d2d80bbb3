/// A proxy for a FIFO queue held by a ``Manager``'s server: `manager.queue()` (Python's
/// `manager.Queue()`) or `manager.joinableQueue()` (`manager.JoinableQueue()`).
///
/// Unlike the shared-memory queue, a manager queue can be passed to processes that were
/// started before it was created, and found by name from unrelated processes. It reports
/// the same ``QueueError``s as a ``Queue`` (Python's `queue.Empty` and `queue.Full` from both),
/// so code written for one catches the other's errors.
public struct QueueProxy<Element: Codable>: Sendable {
    let client: ManagerClient
    let id: UInt32

    /// Adds `item`, waiting while a bounded queue is full.
    ///
    /// - Parameters:
    ///   - item: the value to add.
    ///   - block: false fails at once when the queue is full (Python's `put_nowait`).
    ///   - timeout: seconds to wait; nil waits forever.
    /// - Throws: ``QueueError/full`` when no room came in time.
    public func put(_ item: Element, block: Bool = true, timeout: Double? = nil) throws {
        _ = try call(.queuePut, timeout: block ? timeout : 0) { try $0.appendEncodedField(item) }
    }

    /// Removes and returns the oldest item, waiting while the queue is empty.
    ///
    /// - Throws: ``QueueError/empty`` when no item came in time.
    public func get(block: Bool = true, timeout: Double? = nil) throws -> Element {
        var reader = try call(.queueGet, timeout: block ? timeout : 0)
        return try reader.decodedField(Element.self)
    }

    /// `put(item, block: false)`.
    public func putNowait(_ item: Element) throws { try put(item, block: false) }

    /// `get(block: false)`.
    public func getNowait() throws -> Element { try get(block: false) }

    private func size() throws -> (count: Int, maxSize: Int) {
        var reader = try client.call(.queueSize, object: id)
        return (try reader.intField(), try reader.intField())
    }

    /// The number of items queued now (Python's `qsize()`).
    public func qsize() throws -> Int { try size().count }

    /// Whether the queue is empty now.
    public func empty() throws -> Bool { try size().count == 0 }

    /// Whether a bounded queue is full now.
    public func full() throws -> Bool {
        let (count, maxSize) = try size()
        return maxSize > 0 && count >= maxSize
    }

    /// Marks one item taken with `get()` as processed (joinable queues).
    ///
    /// - Throws: ``QueueError/taskDoneTooManyTimes`` when every item is already done.
    public func taskDone() throws { _ = try call(.queueTaskDone) }

    /// Waits until every item put has been marked done with `taskDone()` (joinable queues).
    /// Returns false when `timeout` seconds passed first.
    @discardableResult
    public func join(timeout: Double? = nil) throws -> Bool {
        var reader = try client.call(.queueJoin, object: id, timeout: timeout)
        return try reader.field().first == 1
    }

    /// A call on the queue, with the server's queue errors as the local queue's.
    private func call(
        _ operation: Operation, timeout: Double? = nil, fields: (inout FrameWriter) throws -> Void = { _ in }
    ) throws -> FrameReader {
        do {
            return try client.call(operation, object: id, timeout: timeout, fields: fields)
        } catch ManagerError.queueEmpty {
            throw QueueError.empty
        } catch ManagerError.queueFull {
            throw QueueError.full
        } catch ManagerError.taskDoneTooManyTimes {
            throw QueueError.taskDoneTooManyTimes
        }
    }
}
