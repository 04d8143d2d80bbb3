import CMultiprocessing
import Glibc

/// A process-shared recursive lock: Python's `multiprocessing.RLock`.
///
/// The thread that holds it may acquire it again; it is free once released as many times as
/// it was acquired, and only that thread may release it. If the process holding it dies, the
/// next acquirer gets ``SynchronizationError/previousHolderDied(pid:)`` and the lock is free
/// again. It is the lock of every ``Value`` and ``SharedArray`` (``Value/getLock()``).
public final class RLock: @unchecked Sendable {
    let region: SharedRegion
    @usableFromInline let mutex: FutexMutex

    /// Creates an unlocked recursive lock in fresh shared memory.
    public init() throws {
        region = try SharedRegion(size: FutexMutex.byteCount)
        mutex = FutexMutex(at: region.allocate(byteCount: FutexMutex.byteCount))
    }

    /// Creates the lock inside `region` (for objects that keep their lock beside their data).
    init(in region: SharedRegion) {
        self.region = region
        mutex = FutexMutex(at: region.allocate(byteCount: FutexMutex.byteCount))
    }

    /// Acquires the lock (again, if this thread already holds it).
    ///
    /// - Parameters:
    ///   - block: when false, return at once whether or not the lock was free.
    ///   - timeout: seconds to wait at most (nil: forever); ignored when `block` is false.
    /// - Returns: true when the lock is now held, false when another thread holds it.
    /// - Throws: ``SynchronizationError/previousHolderDied(pid:)`` when the holder died
    ///   holding it (the lock is then free again).
    @inlinable @discardableResult
    public func acquire(block: Bool = true, timeout: Double? = nil) throws -> Bool {
        if isOwned {
            mutex.depth.pointee &+= 1
            return true
        }
        if mutex.tryLock() {
            noteAcquired()
            return true
        }
        return try acquireSlowly(block: block, timeout: timeout)
    }

    @usableFromInline
    func acquireSlowly(block: Bool, timeout: Double?) throws -> Bool {
        let deadline = Deadline(block: block, timeout: timeout)
        guard try mutex.acquire(deadline: deadline, checkSelf: false) == .acquired else { return false }
        noteAcquired()
        return true
    }

    @inlinable @inline(__always)
    func noteAcquired() {
        mutex.thread.atomicStore(FutexMutex.currentThread)
        mutex.depth.pointee = 1
    }

    /// Whether the calling thread holds the lock.
    @inlinable
    var isOwned: Bool { mutex.isHeldByCallingThread }

    /// Releases one level of the lock.
    ///
    /// - Throws: ``SynchronizationError/notHeld`` when this thread does not hold it.
    @inlinable
    public func release() throws {
        guard isOwned else { throw SynchronizationError.notHeld }
        mutex.depth.pointee -= 1
        if mutex.depth.pointee == 0 { _ = mutex.unlock() }
    }

    /// Runs `body` while holding the lock (Python's `with rlock:`), releasing it afterwards.
    ///
    /// This rethrows only what `body` throws. If the previous holder died holding the lock, the
    /// lock is recovered, a line naming the dead process goes to standard error, and `body`
    /// runs; call ``acquire(block:timeout:)`` to get that as a typed error instead.
    @inlinable
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        if isOwned {
            mutex.depth.pointee &+= 1
        } else if mutex.tryLock() {
            noteAcquired()
        } else {
            lockForAccessSlowly()
        }
        defer {
            mutex.depth.pointee -= 1
            if mutex.depth.pointee == 0 { _ = mutex.unlock() }
        }
        return try body()
    }

    // MARK: - For Condition and shared values

    /// Releases every level held by this thread; returns how many to restore.
    func releaseAll() throws -> UInt32 {
        guard isOwned else { throw SynchronizationError.notHeld }
        let levels = mutex.depth.pointee
        mutex.depth.pointee = 0
        _ = mutex.unlock()
        return levels
    }

    /// Takes the lock again with `levels` levels (after ``releaseAll()``).
    func restore(levels: UInt32) throws {
        try acquire()
        mutex.depth.pointee = levels
    }

    /// Locks for a value access, which cannot throw. Returns false, taking nothing, when the
    /// calling thread already holds the lock (the usual
    /// `value.getLock().withLock { value.value += 1 }`), so nested accesses are cheap.
    @inlinable @inline(__always)
    func lockForAccess() -> Bool {
        if isOwned { return false }
        if mutex.tryLock() {
            noteAcquired()
            return true
        }
        lockForAccessSlowly()
        return true
    }

    /// The contended path of value accesses and ``withLock(_:)``, which cannot throw: a dead
    /// previous holder is reported on standard error instead, and the lock recovered.
    @usableFromInline
    func lockForAccessSlowly() {
        _ = mutex.lockRecovering(checkSelf: false)
        noteAcquired()
    }

    /// Undoes a ``lockForAccess()`` that returned true.
    @inlinable @inline(__always)
    func unlockAfterAccess() {
        mutex.depth.pointee = 0
        _ = mutex.unlock()
    }
}
