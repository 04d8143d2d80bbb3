/// A minimal process-shared queue: Python's `multiprocessing.SimpleQueue` (`put`, `get`,
/// `empty`, `close`). Unbounded, and `get` waits as long as it takes.
public final class SimpleQueue<Element: Codable>: @unchecked Sendable {
    private let queue: Queue<Element>

    /// Creates an empty queue.
    public init() throws { queue = try Queue<Element>() }

    /// Puts `item` at the end of the queue.
    ///
    /// - Throws: ``QueueError/closed`` after ``close()``, or the encoder's error.
    public func put(_ item: Element) throws { try queue.put(item) }

    /// Removes and returns the front item, waiting for one.
    ///
    /// - Throws: ``QueueError/closed`` after ``close()``, or a decoding error.
    public func get() throws -> Element { try queue.get() }

    /// Whether the queue is empty (a snapshot).
    public func empty() -> Bool { queue.empty() }

    /// Closes the queue in this process.
    public func close() { queue.close() }
}
