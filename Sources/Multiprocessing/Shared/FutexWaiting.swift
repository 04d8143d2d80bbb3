import CMultiprocessing

/// The waiting discipline shared by every blocking primitive: check, spin briefly, then
/// register as a waiter and sleep on a 32-bit futex word in shared memory. Wakers skip the
/// `FUTEX_WAKE` system call when nobody registered.
///
/// The word is either a sequence number bumped by every waker, or the very value waited on
/// (a semaphore's count, an event's flag); either way a waiter sleeps only while the word
/// still holds what it read after registering, so no wake-up is lost.
enum FutexWaiting {
    /// Spins, then sleeps on `word` until `ready()` holds or `deadline` passes.
    /// Returns `ready()`'s final answer (false only when the deadline passed).
    @inline(__always)
    static func wait(
        until ready: () -> Bool, word: UnsafeMutablePointer<UInt32>,
        waiters: UnsafeMutablePointer<UInt32>, deadline: Deadline, spins: Int = 200
    ) -> Bool {
        if ready() { return true }
        return slowWait(until: ready, word: word, waiters: waiters, deadline: deadline, spins: spins)
    }

    static func slowWait(
        until ready: () -> Bool, word: UnsafeMutablePointer<UInt32>,
        waiters: UnsafeMutablePointer<UInt32>, deadline: Deadline, spins: Int
    ) -> Bool {
        if deadline.nanoseconds != nil, deadline.hasExpired { return false }
        for _ in 0..<spins {
            spinPause()
            if ready() { return true }
        }
        while true {
            waiters.atomicFetchAdd(1)
            atomicFence()
            let seen = word.atomicLoad()
            if ready() {
                waiters.atomicFetchSub(1)
                return true
            }
            let inTime = system_futexWait(word, expected: seen, deadline: deadline)
            waiters.atomicFetchSub(1)
            if ready() { return true }
            if !inTime { return false }
        }
    }

    /// After changing what waiters wait for: wakes up to `count` sleepers of `word`, if any
    /// registered. `bump` increments the word first (for sequence words).
    @inline(__always)
    static func wake(
        _ word: UnsafeMutablePointer<UInt32>, waiters: UnsafeMutablePointer<UInt32>,
        count: Int32 = Int32.max, bump: Bool = true
    ) {
        atomicFence()
        if waiters.atomicLoad() != 0 {
            if bump { word.atomicFetchAdd(1) }
            system_futexWake(word, count: count)
        }
    }
}
