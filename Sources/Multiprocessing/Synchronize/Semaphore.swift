import CMultiprocessing

/// A process-shared counting semaphore: Python's `multiprocessing.Semaphore`.
///
/// ``acquire(block:timeout:)`` takes one unit, waiting while the value is 0;
/// ``release()`` gives one back and wakes a waiter.
///
/// A unit taken with ``acquire(block:timeout:)`` has no owner, as in Python: any process may
/// give it back, and one killed while holding it just loses it. A unit held inside
/// ``withLock(_:)`` (Python's `with semaphore:`) does have one: the holder's pid is recorded,
/// and when that process dies holding it, the next process that waits for a unit gets it back
/// and is told, like a ``Lock``'s: ``acquire(block:timeout:)`` throws
/// ``SynchronizationError/previousHolderDied(pid:)``.
///
/// ```swift
/// let slots = try Semaphore(2)   // at most two holders at once
/// slots.withLock { work() }
/// ```
public class Semaphore: @unchecked Sendable {
    let region: SharedRegion
    let value: UnsafeMutablePointer<UInt32>
    let waiters: UnsafeMutablePointer<UInt32>
    /// The pids of the processes holding a unit inside `withLock`, one per slot, 0 when free.
    /// More scoped holders than slots at once are simply not tracked.
    let holders: UnsafeMutablePointer<UInt32>
    static let holderSlots = 32

    /// Creates a semaphore holding `value` units.
    ///
    /// - Throws: ``SynchronizationError/negativeSemaphoreValue(_:)`` when `value` < 0.
    public init(_ value: Int = 1) throws {
        guard value >= 0 else { throw SynchronizationError.negativeSemaphoreValue(value) }
        guard value <= Int(Int32.max) else { throw SynchronizationError.semaphoreValueTooLarge(value) }
        region = try SharedRegion(size: 64 + MemoryLayout<UInt32>.stride * Self.holderSlots)
        self.value = region.allocate(UInt32.self, count: 2)
        waiters = self.value + 1
        holders = region.allocate(UInt32.self, count: Self.holderSlots)
        self.value.pointee = UInt32(value)
        system_preparePidCache()
    }

    /// Takes one unit.
    ///
    /// - Parameters:
    ///   - block: when false, return at once.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when a unit was taken, false when none became free in time.
    /// - Throws: ``SynchronizationError/previousHolderDied(pid:)`` when a process died holding
    ///   a unit inside ``withLock(_:)``: its unit is back in the semaphore, so a new call can
    ///   take it.
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        let taken = try take(block: block, deadline: Deadline(timeout: timeout))
        if taken { Trace.hold(true, object: UnsafeRawPointer(value), kind: traceKind) }
        return taken
    }

    /// How the trace names this kind of semaphore.
    var traceKind: TraceEvent.HoldKind { self is BoundedSemaphore ? .boundedSemaphore : .semaphore }

    /// Takes a unit, waiting in slices of `FutexMutex.livenessSlice` so that a scoped holder
    /// that died is noticed while waiting.
    private func take(block: Bool, deadline: Deadline) throws(SynchronizationError) -> Bool {
        if tryTake() { return true }
        while true {
            var slice = Deadline(nanoseconds: monotonicNanoseconds() + FutexMutex.livenessSlice)
            if let end = deadline.nanoseconds, end < slice.nanoseconds! { slice = deadline }
            if block, FutexWaiting.wait(until: tryTake, word: value, waiters: waiters, deadline: slice) {
                return true
            }
            if let dead = reclaimUnitsOfDeadHolders() { throw .previousHolderDied(pid: dead) }
            if !block || deadline.hasExpired { return false }
        }
    }

    /// Gives back the unit of every scoped holder whose process has ended; returns one of
    /// their pids, or nil when every recorded holder is alive.
    private func reclaimUnitsOfDeadHolders() -> Int32? {
        var dead: Int32?
        for slot in holders..<(holders + Self.holderSlots) {
            let pid = slot.atomicLoad()
            guard pid != 0, system_processHasEnded(Int32(bitPattern: pid)) else { continue }
            var expected = pid
            if slot.atomicCompareExchange(expected: &expected, desired: 0) {
                give()
                dead = Int32(bitPattern: pid)
            }
        }
        return dead
    }

    /// Records this process as a scoped holder; returns its slot, or nil when all are taken.
    private func recordHolder() -> UnsafeMutablePointer<UInt32>? {
        let me = UInt32(bitPattern: system_cachedPid())
        for slot in holders..<(holders + Self.holderSlots) {
            var free: UInt32 = 0
            if slot.atomicCompareExchange(expected: &free, desired: me) { return slot }
        }
        return nil
    }

    @inline(__always)
    private func tryTake() -> Bool {
        var current = value.atomicLoad()
        while current > 0 {
            if value.atomicCompareExchange(expected: &current, desired: current - 1) { return true }
        }
        return false
    }

    /// Gives one unit back, waking one waiter.
    public func release() throws {
        Trace.hold(false, object: UnsafeRawPointer(value), kind: traceKind)
        give()
    }

    private func give() {
        value.atomicFetchAdd(1)
        FutexWaiting.wake(value, waiters: waiters, count: 1, bump: false)
    }

    /// The current value (Python's `get_value()`): a snapshot.
    public func getValue() -> Int { Int(value.atomicLoad()) }

    /// Runs `body` holding one unit (Python's `with semaphore:`), giving it back afterwards.
    ///
    /// While `body` runs, this process is recorded as the unit's holder: if it dies there, the
    /// next waiter gets the unit back (see ``Semaphore``). Rethrows only what `body` throws, so
    /// a unit recovered from a dead holder while waiting here is reported on standard error
    /// and the wait goes on. The unit is given back even from a ``BoundedSemaphore`` already
    /// at its limit (which only a mismatched ``release()`` elsewhere can cause); that is
    /// reported on standard error too.
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        while true {
            do {
                if try take(block: true, deadline: .forever) { break }
            } catch {
                system_writeStandardError("Multiprocessing: \(error); its unit was given back\n")
            }
        }
        let slot = recordHolder()
        Trace.hold(true, object: UnsafeRawPointer(value), kind: traceKind)
        defer {
            if let slot { slot.atomicStore(0) }
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
        var current = value.atomicLoad()
        while true {
            guard Int(current) < limit else { throw SynchronizationError.releasedTooManyTimes(limit: limit) }
            if value.atomicCompareExchange(expected: &current, desired: current + 1) { break }
        }
        Trace.hold(false, object: UnsafeRawPointer(value), kind: traceKind)
        FutexWaiting.wake(value, waiters: waiters, count: 1, bump: false)
    }
}
