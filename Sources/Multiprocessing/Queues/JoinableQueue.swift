import CMultiprocessing

/// A ``Queue`` that counts unfinished tasks: Python's `multiprocessing.JoinableQueue`.
///
/// Every ``put(_:block:timeout:)`` adds one unfinished task; a consumer calls ``taskDone()``
/// after processing each item it got; ``join()`` blocks until every task is done.
///
/// ```swift
/// let tasks = try JoinableQueue<Int>()
/// // workers: while true { let n = try tasks.get(); work(n); try tasks.taskDone() }
/// for n in 0..<10 { try tasks.put(n) }
/// try tasks.join()
/// ```
public final class JoinableQueue<Element: Codable>: Queue<Element>, @unchecked Sendable {
    private let counters: SharedRegion
    private let unfinished: UnsafeMutablePointer<UInt32>
    private let waiters: UnsafeMutablePointer<UInt32>

    /// Creates a joinable queue (see ``Queue/init(maxSize:)``).
    public override init(maxSize: Int = 0) throws {
        counters = try SharedRegion(size: 64)
        unfinished = counters.allocate(UInt32.self, count: 2)
        waiters = unfinished + 1
        try super.init(maxSize: maxSize)
    }

    /// Puts `item` and counts one more unfinished task (see ``Queue/put(_:block:timeout:)``).
    public override func put(_ item: Element, block: Bool = true, timeout: Double? = nil) throws {
        unfinished.atomicFetchAdd(1)
        do {
            try putEncoded(item, deadline: Deadline(block: block, timeout: timeout))
        } catch {
            finishOne()
            throw error
        }
    }

    /// Marks one task (an item taken with ``Queue/get(block:timeout:)``) as done.
    ///
    /// - Throws: ``QueueError/taskDoneTooManyTimes`` when no task is unfinished.
    public func taskDone() throws {
        var current = unfinished.atomicLoad()
        while true {
            guard current > 0 else { throw QueueError.taskDoneTooManyTimes }
            if unfinished.atomicCompareExchange(expected: &current, desired: current - 1) { break }
        }
        if current == 1 { FutexWaiting.wake(unfinished, waiters: waiters, bump: false) }
    }

    /// Blocks until every item put has been marked done with ``taskDone()``.
    public func join() throws {
        _ = FutexWaiting.wait(until: { unfinished.atomicLoad() == 0 }, word: unfinished,
                              waiters: waiters, deadline: .forever)
    }

    private func finishOne() {
        if unfinished.atomicFetchSub(1) == 1 { FutexWaiting.wake(unfinished, waiters: waiters, bump: false) }
    }
}
