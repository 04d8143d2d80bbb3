import CMultiprocessing
import Glibc

/// A process-shared recursive lock: Python's `multiprocessing.RLock`.
///
/// The thread that holds it may acquire it again; it is free once released as many times as
/// it was acquired. Like ``Lock`` it is a robust mutex: a holder that dies is reported to the
/// next acquirer with ``SynchronizationError/previousHolderDied(pid:)``.
public final class RLock: @unchecked Sendable {
    let region: SharedRegion
    let mutex: RobustMutex

    /// Creates an unlocked recursive lock in fresh shared memory.
    public init() throws {
        region = try SharedRegion(size: RobustMutex.byteCount)
        mutex = RobustMutex(at: region.allocate(byteCount: RobustMutex.byteCount))
        try mutex.initialize(.recursive)
    }

    /// Creates the lock inside `region` (for objects that keep a lock beside their data).
    init(in region: SharedRegion) throws {
        self.region = region
        mutex = RobustMutex(at: region.allocate(byteCount: RobustMutex.byteCount))
        try mutex.initialize(.recursive)
    }

    /// Acquires the lock (again, if this thread already holds it).
    ///
    /// - Parameters:
    ///   - block: when false, return at once whether or not the lock was free.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when the lock is now held, false when another thread holds it.
    /// - Throws: ``SynchronizationError/previousHolderDied(pid:)`` when the last holder died
    ///   holding it (the lock is then free again).
    @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        let outcome: RobustLockOutcome
        let dead: Int32?
        if block, timeout == nil {
            (outcome, dead) = mutex.lock()
        } else {
            (outcome, dead) = try mutex.lock(deadline: block ? Deadline(timeout: timeout) : Deadline(timeout: 0))
        }
        switch outcome {
        case .acquired:
            noteAcquired()
            return true
        case .ownerDied:
            mutex.depth.pointee = 0
            mutex.thread.pointee = 0
            mutex.unlock()
            throw SynchronizationError.previousHolderDied(pid: dead ?? 0)
        case .timedOut, .wouldDeadlock:
            return false
        }
    }

    @inline(__always)
    private func noteAcquired() {
        mutex.holder.pointee = system_cachedPid()
        mutex.thread.pointee = UInt(pthread_self())
        mutex.depth.pointee &+= 1
    }

    /// Whether the calling thread holds the lock.
    var isOwned: Bool {
        mutex.depth.pointee > 0 && mutex.holder.pointee == system_cachedPid()
            && mutex.thread.pointee == UInt(pthread_self())
    }

    /// Releases one level of the lock.
    ///
    /// - Throws: ``SynchronizationError/notHeld`` when this thread does not hold it.
    public func release() throws {
        guard isOwned else { throw SynchronizationError.notHeld }
        mutex.depth.pointee -= 1
        if mutex.depth.pointee == 0 { mutex.thread.pointee = 0 }
        mutex.unlock()
    }

    /// Runs `body` while holding the lock (Python's `with rlock:`), releasing it afterwards.
    ///
    /// - Throws: what `body` throws, or an error from ``acquire(block:timeout:)``.
    public func withLock<R>(_ body: () throws -> R) throws -> R {
        try acquire()
        defer { try? release() }
        return try body()
    }

    // MARK: - For Condition and shared values

    /// Releases every level held by this thread; returns how many to restore.
    func releaseAll() throws -> UInt32 {
        guard isOwned else { throw SynchronizationError.notHeld }
        let levels = mutex.depth.pointee
        mutex.depth.pointee = 0
        mutex.thread.pointee = 0
        for _ in 0..<levels { mutex.unlock() }
        return levels
    }

    /// Takes the lock again `levels` times (after ``releaseAll()``).
    func restore(levels: UInt32) throws {
        try acquire()
        for _ in 1..<max(levels, 1) { _ = pthread_mutex_lock(mutex.mutex) }
        mutex.depth.pointee = levels
    }

    /// Locks for a value access that cannot throw: a dead previous holder is reported on
    /// standard error and the lock recovered, since a property getter cannot throw.
    @inline(__always)
    func lockForAccess() {
        let rc = pthread_mutex_lock(mutex.mutex)
        if rc == EOWNERDEAD {
            let dead = mutex.holder.pointee
            system_mutexMarkConsistent(mutex.mutex)
            mutex.depth.pointee = 0
            system_writeStandardError("Multiprocessing: a shared value's lock holder (pid \(dead)) died holding it; the value may be inconsistent\n")
        }
        noteAcquired()
    }

    @inline(__always)
    func unlockAfterAccess() {
        mutex.depth.pointee -= 1
        if mutex.depth.pointee == 0 { mutex.thread.pointee = 0 }
        mutex.unlock()
    }
}
