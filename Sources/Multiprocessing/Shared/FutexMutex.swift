import CMultiprocessing
import Glibc

/// What taking a ``FutexMutex`` came to.
enum LockOutcome: Equatable {
    /// The caller now holds the mutex.
    case acquired
    /// The caller now holds the mutex, taken over from an owner process that ended while
    /// holding it: the data it protects may be half-updated.
    case ownerDied
    /// The deadline passed with the mutex still held by someone else.
    case timedOut
    /// The calling thread already holds this (non-recursive) mutex.
    case wouldDeadlock
}

/// The lock under ``Lock``, ``RLock``, ``Barrier`` and the byte ring: one 32-bit futex word in shared memory holding the
/// owner's pid (0 when free; bit 31 set when someone may be sleeping on it).
///
/// The uncontended path is a single compare-and-swap to lock and a single exchange to unlock,
/// like a plain process-shared mutex and unlike glibc's robust mutexes (whose bookkeeping
/// doubles the cost). Robustness comes from the pid in the word: a waiter sleeps in slices
/// and, after each, checks whether the owner process still runs; if it ended (or is a zombie)
/// one waiter takes the lock over with a compare-and-swap and is told the dead owner's pid.
///
/// A pid reused by a new process before any waiter noticed the owner's death would keep the
/// lock held until that process ends; Linux hands pids out in increasing order, so this needs
/// the pid counter to wrap around within the 50 ms a waiter sleeps between checks.
///
/// Layout (one cache line): the word at offset 0, a recursion depth at 4 (for `RLock`), the
/// holding thread's `pthread_self()` at 8 (to tell the owner thread, and to catch a thread
/// relocking a non-recursive lock it holds).
@usableFromInline
struct FutexMutex {
    /// Bytes to reserve for one mutex (allocate them cache-line aligned; small data guarded
    /// by the mutex may share the rest of the line).
    static let byteCount = 16
    @usableFromInline static let waitersBit: UInt32 = 1 << 31
    /// How long a waiter sleeps before checking on the owner.
    static let livenessSlice: Int64 = 50_000_000

    @usableFromInline let word: UnsafeMutablePointer<UInt32>
    @usableFromInline let depth: UnsafeMutablePointer<UInt32>
    @usableFromInline let thread: UnsafeMutablePointer<Int64>

    /// Views the (zeroed, hence unlocked) 64 bytes at `address` as a mutex.
    init(at address: UnsafeMutableRawPointer) {
        system_preparePidCache()
        word = address.bindMemory(to: UInt32.self, capacity: 2)
        depth = word + 1
        thread = (address + 8).bindMemory(to: Int64.self, capacity: 1)
    }

    /// When this process last looked for a dead owner after a failed non-blocking attempt.
    @exclusivity(unchecked) nonisolated(unsafe) private static var lastQuickCheck: Int64 = 0

    /// Whether a failed non-blocking attempt should check on the owner: at most every 50 ms,
    /// so a loop polling `acquire(block: false)` stays cheap yet still learns of a dead owner.
    private static func livenessCheckIsDue() -> Bool {
        let now = monotonicNanoseconds()
        if now - lastQuickCheck < livenessSlice { return false }
        lastQuickCheck = now
        return true
    }

    /// Tells standard error that a lock was taken over from a dead owner, for callers that
    /// cannot throw (`withLock`, shared value accesses).
    static func reportRecovered(from dead: Int32) {
        system_writeStandardError("Multiprocessing: the process holding a lock (pid \(dead)) died while holding it; the lock was recovered and the work goes on, but the data it protected may be inconsistent\n")
    }

    /// The calling thread, as stored in ``thread``.
    @inlinable
    static var currentThread: Int64 { Int64(Int(bitPattern: UInt(system_currentThread()))) }

    /// One attempt to take a free lock.
    @inlinable @inline(__always)
    func tryLock() -> Bool {
        var expected: UInt32 = 0
        return word.atomicCompareExchange(expected: &expected, desired: UInt32(bitPattern: cachedProcessIdentifier))
    }

    /// Unlocks (clearing the holding thread first). Returns false when it was not locked.
    @inlinable @inline(__always)
    func unlock() -> Bool {
        thread.atomicStore(0)
        let old = word.atomicExchange(0)
        if old & Self.waitersBit != 0 { system_futexWake(word, count: 1) }
        return old != 0
    }

    /// ``lock(deadline:checkSelf:)`` for a throwing `acquire`: a lock taken over from a dead
    /// owner is released again and reported as ``SynchronizationError/previousHolderDied(pid:)``.
    func acquire(deadline: Deadline, checkSelf: Bool) throws -> LockOutcome {
        let (outcome, dead) = lock(deadline: deadline, checkSelf: checkSelf)
        if outcome == .ownerDied {
            _ = unlock()
            throw SynchronizationError.previousHolderDied(pid: dead ?? 0)
        }
        return outcome
    }

    /// Takes the lock, waiting as long as it takes, for callers that cannot throw: a lock
    /// taken over from a dead owner is reported on standard error. Returns false, holding
    /// nothing, only when `checkSelf` finds that the calling thread already holds it.
    func lockRecovering(checkSelf: Bool) -> Bool {
        let (outcome, dead) = lock(deadline: .forever, checkSelf: checkSelf)
        if outcome == .ownerDied { Self.reportRecovered(from: dead ?? 0) }
        return outcome != .wouldDeadlock
    }

    /// Whether the calling thread holds the mutex.
    ///
    /// The holder writes the word (its pid) and then its thread, and clears the thread before
    /// unlocking; so a thread that reads its own `pthread_self()` there, and this process's
    /// pid in the word, is the holder. (The pid matters: a forked child's main thread has the
    /// same `pthread_self()` as the parent's forking thread.)
    @inlinable
    var isHeldByCallingThread: Bool {
        thread.atomicLoad() == Self.currentThread
            && word.atomicLoad() & ~Self.waitersBit == UInt32(bitPattern: cachedProcessIdentifier)
    }

    /// The pid in the word (0: free).
    var owner: Int32 { Int32(bitPattern: word.atomicLoad() & ~Self.waitersBit) }

    /// Takes the lock, waiting until `deadline`.
    ///
    /// - Returns: `.acquired`, `.ownerDied` with the dead owner's pid (the caller now holds
    ///   the lock), `.timedOut`, or `.wouldDeadlock` when the calling thread already holds it
    ///   (checked only when `checkSelf` is true).
    func lock(deadline: Deadline, checkSelf: Bool) -> (outcome: LockOutcome, dead: Int32?) {
        if tryLock() { return (.acquired, nil) }
        let me = UInt32(bitPattern: system_cachedPid())
        // Spin with growing pauses between looks: every look pulls the holder's cache line
        // away from it, so fewer looks leave the holder's critical section undisturbed.
        var pauses = 1
        for _ in 0..<12 {
            for _ in 0..<pauses { spinPause() }
            if word.atomicLoad() == 0, tryLock() { return (.acquired, nil) }
            pauses = min(pauses &* 2, 128)
        }
        if checkSelf, owner == Int32(bitPattern: me), thread.atomicLoad() == Self.currentThread {
            return (.wouldDeadlock, nil)
        }
        var checkOwner = false
        while true {
            var seen = word.atomicLoad()
            if seen == 0 {
                // Free: take it, keeping the waiters bit (others may still sleep).
                var expected: UInt32 = 0
                if word.atomicCompareExchange(expected: &expected, desired: me | Self.waitersBit) { return (.acquired, nil) }
                continue
            }
            if checkOwner || (deadline.hasExpired && Self.livenessCheckIsDue()) {
                checkOwner = false
                let ownerPid = Int32(bitPattern: seen & ~Self.waitersBit)
                if ownerPid != Int32(bitPattern: me), system_processHasEnded(ownerPid) {
                    var expected = seen
                    if word.atomicCompareExchange(expected: &expected, desired: me | Self.waitersBit) {
                        return (.ownerDied, ownerPid)
                    }
                    continue
                }
            }
            if deadline.hasExpired { return (.timedOut, nil) }
            if seen & Self.waitersBit == 0 {
                let marked = seen | Self.waitersBit
                if !word.atomicCompareExchange(expected: &seen, desired: marked) { continue }
                seen = marked
            }
            var slice = Deadline(nanoseconds: monotonicNanoseconds() + Self.livenessSlice)
            if let end = deadline.nanoseconds, end < slice.nanoseconds! { slice = deadline }
            if !system_futexWait(word, expected: seen, deadline: slice) { checkOwner = true }
        }
    }
}
