import CMultiprocessing

/// The shared state behind ``Condition``: counts of waiters and wake-up tokens in one 64-bit
/// word, and a 32-bit sequence the sleepers sleep on. `notify(n)` wakes exactly
/// `min(n, waiters)` of the processes waiting when it is called, as Python's semaphore-based
/// condition does, and never one that started waiting after it.
///
/// The word holds a generation (bumped by every notify) and three counts: waiters registered
/// in the current generation (*new*), earlier waiters not yet notified (*old*), and tokens
/// (notified waiters that have not woken yet). A waiter registers while it still holds the
/// condition's lock, so a notify made after it released the lock always counts it. A notify
/// makes every waiter old, turns up to `n` old waiters into tokens and wakes the sleepers; a
/// waiter takes a token only if a notify came after it registered. A waiter whose time runs
/// out withdraws its count (from *new*, or from *old*); if *old* is empty, a notify counted
/// it already, so it takes that token instead and reports a wake-up. At most 65,535 waiters.
struct ConditionWord {
    private let state: UnsafeMutablePointer<Int64>
    private let sequence: UnsafeMutablePointer<UInt32>

    /// Bytes to reserve (8-byte aligned, zeroed).
    static let byteCount = 16

    /// Views the zeroed 16 bytes at `address`.
    init(at address: UnsafeMutableRawPointer) {
        state = address.bindMemory(to: Int64.self, capacity: 1)
        sequence = (address + 8).bindMemory(to: UInt32.self, capacity: 1)
    }

    private struct Fields {
        var tokens: UInt64, old: UInt64, new: UInt64, generation: UInt64
        init(_ raw: Int64) {
            let bits = UInt64(bitPattern: raw)
            tokens = bits & 0xFFFF
            old = bits >> 16 & 0xFFFF
            new = bits >> 32 & 0xFFFF
            generation = bits >> 48
        }
        var raw: Int64 { Int64(bitPattern: generation << 48 | new << 32 | old << 16 | tokens) }
    }

    /// Applies `change` to the word atomically; `change` returns nil to leave it as it is.
    private func update<T>(_ change: (inout Fields) -> T?) -> T? {
        var seen = state.atomicLoad()
        while true {
            var fields = Fields(seen)
            guard let result = change(&fields) else { return nil }
            var expected = seen
            if state.atomicCompareExchange(expected: &expected, desired: fields.raw) { return result }
            seen = expected
        }
    }

    /// Counts the caller as a waiter and returns its generation. Call it holding the
    /// condition's lock, before releasing it.
    func register() -> UInt64 {
        update { fields in
            precondition(fields.new + fields.old + fields.tokens < 0xFFFF, "more than 65535 waiters on one Condition")
            fields.new += 1
            return fields.generation
        }!
    }

    /// Turns up to `n` waiters into tokens and wakes the sleepers; returns how many were
    /// notified. Call it holding the condition's lock.
    @discardableResult
    func notify(_ n: Int) -> Int {
        let moved = update { fields -> UInt64 in
            fields.old += fields.new
            fields.new = 0
            let moved = UInt64(min(n, Int(fields.old)))
            fields.old -= moved
            fields.tokens += moved
            fields.generation = (fields.generation + 1) & 0xFFFF
            return moved
        }!
        if moved > 0 {
            sequence.atomicFetchAdd(1)
            // Every sleeper: those that registered after an earlier notify cannot take these
            // tokens and go back to sleep.
            system_futexWake(sequence)
        }
        return Int(moved)
    }

    /// Sleeps (without the lock) until this waiter takes a token, or withdraws when
    /// `deadline` passes. `generation` is what ``register()`` returned. Returns true when
    /// notified.
    func sleep(generation: UInt64, until deadline: Deadline) -> Bool {
        var timedOut = deadline.nanoseconds != nil && deadline.hasExpired
        while true {
            let seen = sequence.atomicLoad()
            enum Outcome { case notified, withdrew }
            let outcome = update { fields -> Outcome? in
                let notifiedSince = fields.generation != generation
                if notifiedSince, fields.tokens > 0 {
                    fields.tokens -= 1
                    return .notified
                }
                guard timedOut else { return nil }
                if !notifiedSince {
                    fields.new -= 1
                } else if fields.old > 0 {
                    fields.old -= 1
                } else {
                    return nil  // counted by a notify: its token is there (taken above next time)
                }
                return .withdrew
            }
            switch outcome {
            case .notified: return true
            case .withdrew: return false
            case nil where timedOut:
                // Counted by a notify whose token is not visible yet: look again shortly.
                _ = system_futexWait(sequence, expected: seen, deadline: Deadline(timeout: 0.001))
            case nil:
                if !system_futexWait(sequence, expected: seen, deadline: deadline) { timedOut = true }
            }
        }
    }
}
