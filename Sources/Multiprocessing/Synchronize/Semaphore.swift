import CMultiprocessing

/// A process-shared counting semaphore: Python's `multiprocessing.Semaphore`.
///
/// ``acquire(block:timeout:)`` takes one unit, waiting while the value is 0;
/// ``release()`` gives one back and wakes a waiter. A process killed while holding a unit
/// does not give it back (as in Python).
///
/// ```swift
/// let slots = try Semaphore(2)   // at most two holders at once
/// slots.withLock { work() }
/// ```
public class Semaphore: @unchecked Sendable {
    let region: SharedRegion
    let value: UnsafeMutablePointer<UInt32>
    let waiters: UnsafeMutablePointer<UInt32>

    /// Creates a semaphore holding `value` units.
    ///
    /// - Throws: ``SynchronizationError/negativeSemaphoreValue(_:)`` when `value` < 0.
    public init(_ value: Int = 1) throws {
        guard value >= 0 else { throw SynchronizationError.negativeSemaphoreValue(value) }
        guard value <= Int(Int32.max) else { throw SynchronizationError.semaphoreValueTooLarge(value) }
        region = try SharedRegion(size: 64)
        self.value = region.allocate(UInt32.self, count: 2)
        waiters = self.value + 1
        self.value.pointee = UInt32(value)
    }

    /// Takes one unit.
    ///
    /// - Parameters:
    ///   - block: when false, return at once.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when a unit was taken, false when none became free in time.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        take(block: block, deadline: Deadline(timeout: timeout))
    }

    private func take(block: Bool, deadline: Deadline) -> Bool {
        if tryTake() { return true }
        if !block { return false }
        return FutexWaiting.wait(until: tryTake, word: value, waiters: waiters, deadline: deadline)
    }

    @inline(__always)
    private func tryTake() -> Bool {
        var current = cmp_load_u32(value)
        while current > 0 {
            if cmp_cas_u32(value, &current, current - 1) != 0 { return true }
        }
        return false
    }

    /// Gives one unit back, waking one waiter.
    public func release() throws {
        give()
    }

    private func give() {
        _ = cmp_fetch_add_u32(value, 1)
        FutexWaiting.wake(value, waiters: waiters, count: 1, bump: false)
    }

    /// The current value (Python's `get_value()`): a snapshot.
    public func getValue() -> Int { Int(cmp_load_u32(value)) }

    /// Runs `body` holding one unit (Python's `with semaphore:`), giving it back afterwards.
    /// Rethrows only what `body` throws. The unit is given back even from a
    /// ``BoundedSemaphore`` already at its limit (which only a mismatched ``release()``
    /// elsewhere can cause); that is reported on standard error.
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        _ = take(block: true, deadline: .forever)
        defer {
            do { try release() } catch { system_writeStandardError("Multiprocessing: \(error)\n") }
        }
        return try body()
    }
}

/// A ``Semaphore`` that refuses to go above its initial value: Python's `BoundedSemaphore`.
public final class BoundedSemaphore: Semaphore, @unchecked Sendable {
    /// The initial (and largest) value.
    public let limit: Int

    /// Creates a bounded semaphore holding `value` units, which is also its maximum.
    ///
    /// - Throws: ``SynchronizationError/negativeSemaphoreValue(_:)`` when `value` < 0.
    public override init(_ value: Int = 1) throws {
        limit = value
        try super.init(value)
    }

    /// Gives one unit back.
    ///
    /// - Throws: ``SynchronizationError/releasedTooManyTimes(limit:)`` when the value is
    ///   already at its limit (more releases than acquires).
    public override func release() throws {
        var current = cmp_load_u32(value)
        while true {
            guard Int(current) < limit else { throw SynchronizationError.releasedTooManyTimes(limit: limit) }
            if cmp_cas_u32(value, &current, current + 1) != 0 { break }
        }
        FutexWaiting.wake(value, waiters: waiters, count: 1, bump: false)
    }
}
