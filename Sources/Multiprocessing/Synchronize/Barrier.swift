import CMultiprocessing
import Glibc

/// A process-shared barrier: Python's `multiprocessing.Barrier`.
///
/// `parties` processes call ``wait(timeout:)``; each blocks until all have arrived, then all
/// go on together and the barrier is ready for the next round. The optional `action` runs in
/// the last process to arrive, before the others are released (closures exist in forked
/// children as they did in the parent). A timeout, a failing action, ``abort()`` or
/// ``reset()`` breaks the round: its waiters throw ``BarrierError/broken``.
public final class Barrier: @unchecked Sendable {
    /// How many processes must call ``wait(timeout:)`` for the barrier to open.
    public let parties: Int
    private let action: (() throws -> Void)?
    private let defaultTimeout: Double?
    let region: SharedRegion
    private let mutex: FutexMutex
    private let arrived: UnsafeMutablePointer<UInt32>
    private let generation: UnsafeMutablePointer<UInt32>
    private let brokenFlag: UnsafeMutablePointer<UInt32>
    private let brokenGeneration: UnsafeMutablePointer<UInt32>
    private let waiters: UnsafeMutablePointer<UInt32>

    /// Creates a barrier for `parties` processes.
    ///
    /// - Parameters:
    ///   - parties: at least 1.
    ///   - action: run by the last process to arrive, before the round is released.
    ///   - timeout: the default for ``wait(timeout:)`` (nil: forever).
    /// - Throws: ``BarrierError/invalidParties(_:)`` when `parties` < 1.
    public init(parties: Int, action: (() throws -> Void)? = nil, timeout: Double? = nil) throws {
        guard parties >= 1, parties <= Int(Int32.max) else { throw BarrierError.invalidParties(parties) }
        self.parties = parties
        self.action = action
        defaultTimeout = timeout
        region = try SharedRegion(size: 128)
        mutex = FutexMutex(at: region.allocate(byteCount: FutexMutex.byteCount))
        let words = region.allocate(UInt32.self, count: 5)
        arrived = words
        generation = words + 1
        brokenFlag = words + 2
        brokenGeneration = words + 3
        waiters = words + 4
        brokenGeneration.pointee = UInt32.max
    }

    /// Waits until `parties` processes have called `wait`.
    ///
    /// - Parameter timeout: seconds to wait at most; nil uses the barrier's default timeout.
    /// - Returns: the arrival index, 0 ..< `parties` (as Python).
    /// - Throws: ``BarrierError/broken`` when the round is broken (this waiter timing out
    ///   breaks it for everyone), or the action's error in the process that ran it.
    @discardableResult
    public func wait(timeout: Double? = nil) throws -> Int {
        let deadline = Deadline(timeout: timeout ?? defaultTimeout)
        try lockState()
        if brokenFlag.pointee != 0 {
            _ = mutex.unlock()
            throw BarrierError.broken
        }
        let index = Int(arrived.pointee)
        arrived.pointee += 1
        let round = generation.pointee
        if index + 1 == parties {
            if let action {
                do {
                    try action()
                } catch {
                    breakRound()
                    _ = mutex.unlock()
                    throw error
                }
            }
            arrived.pointee = 0
            generation.atomicStore(round &+ 1)
            _ = mutex.unlock()
            FutexWaiting.wake(generation, waiters: waiters, bump: false)
            return index
        }
        _ = mutex.unlock()
        let passed = FutexWaiting.wait(until: { generation.atomicLoad() != round }, word: generation,
                                       waiters: waiters, deadline: deadline, spins: 100)
        if !passed {
            try lockState()
            if generation.pointee == round { breakRound() }
            _ = mutex.unlock()
        }
        if brokenGeneration.atomicLoad() == round { throw BarrierError.broken }
        return index
    }

    /// Returns the barrier to its empty state; processes waiting in the current round get
    /// ``BarrierError/broken``.
    public func reset() throws {
        try lockState()
        if arrived.pointee > 0 { breakRound() }
        brokenFlag.pointee = 0
        _ = mutex.unlock()
    }

    /// Breaks the barrier: current and future waiters get ``BarrierError/broken`` until
    /// ``reset()``.
    public func abort() throws {
        try lockState()
        breakRound()
        _ = mutex.unlock()
    }

    /// How many processes are waiting in the current round (Python's `n_waiting`).
    public var nWaiting: Int { Int(arrived.atomicLoad()) }

    /// Whether the barrier is broken.
    public var broken: Bool { brokenFlag.atomicLoad() != 0 }

    // MARK: - Internals

    private func lockState() throws {
        if mutex.tryLock() { return }
        let (outcome, _) = mutex.lock(deadline: .forever, checkSelf: false)
        if outcome == .ownerDied {
            breakRound()  // a participant died mid-update: nobody can trust this round
        }
    }

    /// Breaks the current round and wakes its waiters (call holding the state lock).
    private func breakRound() {
        brokenFlag.pointee = 1
        arrived.pointee = 0
        brokenGeneration.atomicStore(generation.pointee)
        generation.atomicStore(generation.pointee &+ 1)
        FutexWaiting.wake(generation, waiters: waiters, bump: false)
    }
}
