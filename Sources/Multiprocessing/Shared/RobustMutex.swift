import CMultiprocessing
import Glibc

/// A robust, process-shared pthread mutex in shared memory, plus the pid of its latest holder
/// (written on every acquire, so when a holder dies the next locker can name it).
///
/// Layout (one cache line): the `pthread_mutex_t` at offset 0, the holder pid at offset 48,
/// a recursion depth used by `RLock` at offset 52, the holding thread (`pthread_self`, used
/// by `RLock` to tell its owner) at offset 56.
struct RobustMutex {
    /// Bytes to reserve for one mutex.
    static let byteCount = 64

    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    let holder: UnsafeMutablePointer<Int32>
    let depth: UnsafeMutablePointer<UInt32>
    let thread: UnsafeMutablePointer<UInt>

    /// Views the 64 bytes at `address` as a mutex slot (call ``initialize(recursive:)`` once).
    init(at address: UnsafeMutableRawPointer) {
        precondition(MemoryLayout<pthread_mutex_t>.size <= 48)
        mutex = address.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        holder = (address + 48).bindMemory(to: Int32.self, capacity: 1)
        depth = (address + 52).bindMemory(to: UInt32.self, capacity: 1)
        thread = (address + 56).bindMemory(to: UInt.self, capacity: 1)
    }

    /// Initialises the mutex in place; do it once, before forking.
    func initialize(_ kind: RobustMutexKind) throws(SystemError) {
        try system_mutexInitShared(mutex, kind: kind)
    }

    /// Blocks until the mutex is held (fast path, no deadline). On `.ownerDied` the mutex is
    /// held, already consistent, and `dead` names the process that died holding it.
    @inline(__always)
    func lock() -> (outcome: RobustLockOutcome, dead: Int32?) {
        let rc = pthread_mutex_lock(mutex)
        if rc == 0 {
            holder.pointee = system_cachedPid()
            return (.acquired, nil)
        }
        return slowOutcome(rc == EOWNERDEAD ? .ownerDied : .wouldDeadlock)
    }

    /// Locks with a deadline. On `.ownerDied` the mutex is held, already consistent, and
    /// `dead` names the process that died holding it.
    func lock(deadline: Deadline) throws(SystemError) -> (outcome: RobustLockOutcome, dead: Int32?) {
        let outcome = try system_mutexLock(mutex, deadline: deadline)
        if outcome == .acquired { holder.pointee = system_cachedPid() }
        return outcome == .acquired ? (outcome, nil) : slowOutcome(outcome)
    }

    private func slowOutcome(_ outcome: RobustLockOutcome) -> (outcome: RobustLockOutcome, dead: Int32?) {
        guard outcome == .ownerDied else { return (outcome, nil) }
        let dead = holder.pointee
        system_mutexMarkConsistent(mutex)
        holder.pointee = system_cachedPid()
        return (outcome, dead)
    }

    /// Unlocks; returns 0 or `EPERM` when the caller does not hold the mutex.
    @inline(__always)
    @discardableResult
    func unlock() -> Int32 { system_mutexUnlock(mutex) }
}
