import CMultiprocessing

/// A process-shared flag that processes can wait for: Python's `multiprocessing.Event`.
///
/// ```swift
/// let ready = try Event()
/// // child: ready.wait()      parent: ready.set()
/// ```
public final class Event: @unchecked Sendable {
    let region: SharedRegion
    let flag: UnsafeMutablePointer<UInt32>
    let waiters: UnsafeMutablePointer<UInt32>

    /// Creates an event that is not set.
    public init() throws {
        region = try SharedRegion(size: 64)
        flag = region.allocate(UInt32.self, count: 2)
        waiters = flag + 1
    }

    /// Whether the flag is set (Python's `is_set()`).
    public func isSet() -> Bool { flag.atomicLoad() != 0 }

    /// Sets the flag and wakes every waiter, in every process.
    public func set() {
        flag.atomicStore(1)
        FutexWaiting.wake(flag, waiters: waiters, bump: false)
    }

    /// Clears the flag; later ``wait(timeout:)`` calls block until the next ``set()``.
    public func clear() { flag.atomicStore(0) }

    /// Blocks until the flag is set or `timeout` seconds pass (nil: forever).
    ///
    /// - Returns: true when the flag is set, false on timeout (as Python).
    @discardableResult
    public func wait(timeout: Double? = nil) -> Bool {
        FutexWaiting.wait(until: { flag.atomicLoad() != 0 }, word: flag, waiters: waiters,
                          deadline: Deadline(timeout: timeout))
    }
}
