import CMultiprocessing

/// The shared word behind ``Condition``: how many waiters sleep un-notified (low 16 bits)
/// and how many wake-up tokens wait to be taken (high 16 bits), so that `notify(n)` wakes
/// exactly `min(n, sleepers)` waiters, as Python's semaphore-based condition does.
///
/// A waiter registers while it still holds the condition's lock, so a `notify` made after it
/// released the lock always counts it. `notify` moves sleepers to tokens in one
/// compare-and-swap; each token is taken by exactly one waiter. A waiter whose time runs out
/// withdraws by taking back a sleeper count; if none is left, a notifier has already counted
/// it, so it takes that token instead and reports a wake-up. A waiter arriving after a
/// `notify` may take a token before an earlier waiter wakes (as with POSIX condition
/// variables); the number woken stays exact.
struct ConditionWord {
    private static let sleeper: UInt32 = 1
    private static let token: UInt32 = 1 << 16
    private static let countMask: UInt32 = 0xFFFF

    let word: UnsafeMutablePointer<UInt32>

    /// Views the (zeroed) 4 bytes at `word`.
    init(at word: UnsafeMutablePointer<UInt32>) { self.word = word }

    /// Counts the caller as a sleeper. Call it holding the condition's lock, before releasing it.
    func register() {
        let old = cmp_fetch_add_u32(word, Self.sleeper)
        precondition(old & Self.countMask != Self.countMask, "more than 65535 waiters on one Condition")
    }

    /// Turns up to `n` sleepers into wake-up tokens and wakes as many; returns how many.
    /// Call it holding the condition's lock.
    @discardableResult
    func notify(_ n: Int) -> Int {
        var seen = cmp_load_u32(word)
        while true {
            let moved = UInt32(min(n, Int(seen & Self.countMask)))
            if moved == 0 { return 0 }
            var expected = seen
            if cmp_cas_u32(word, &expected, seen - moved * Self.sleeper + moved * Self.token) != 0 {
                system_futexWake(word, count: Int32(moved))
                return Int(moved)
            }
            seen = expected
        }
    }

    /// Sleeps (without the lock) until a token is taken, or withdraws when `deadline` passes.
    /// Returns true when notified.
    func sleep(until deadline: Deadline) -> Bool {
        var timedOut = deadline.nanoseconds != nil && deadline.hasExpired
        var seen = cmp_load_u32(word)
        while true {
            var expected = seen
            if seen >> 16 > 0 {
                if cmp_cas_u32(word, &expected, seen - Self.token) != 0 { return true }
            } else if timedOut {
                // Still counted as a sleeper (no token yet), so there is one to take back.
                if cmp_cas_u32(word, &expected, seen - Self.sleeper) != 0 { return false }
            } else {
                if !system_futexWait(word, expected: seen, deadline: deadline) { timedOut = true }
                expected = cmp_load_u32(word)
            }
            seen = expected
        }
    }
}
