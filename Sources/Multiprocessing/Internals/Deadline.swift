import CMultiprocessing

/// A point on the monotonic clock by which a blocking call must return; `forever` never comes.
///
/// Public APIs take Python's `timeout: Double?` (seconds, nil = no limit) and turn it into a
/// deadline once, so loops that retry after spurious wake-ups keep the caller's total timeout.
struct Deadline: Sendable {
    /// Monotonic nanoseconds, or nil for no deadline.
    let nanoseconds: Int64?

    static let forever = Deadline(nanoseconds: nil)
    /// A deadline that has always passed: a wait with it only checks, never sleeps.
    static let expired = Deadline(nanoseconds: 0)

    init(nanoseconds: Int64?) { self.nanoseconds = nanoseconds }

    /// A deadline `timeout` seconds from now; nil means forever, negative means now.
    init(timeout: Double?) {
        guard let timeout else { self.nanoseconds = nil; return }
        let span = timeout <= 0 ? 0 : min(timeout, 1e9) * 1e9
        self.nanoseconds = monotonicNanoseconds() + Int64(span)
    }

    /// The deadline of Python's `block`/`timeout` pair: `timeout` seconds from now, or now
    /// when `block` is false (the timeout is then ignored).
    init(block: Bool, timeout: Double?) {
        self.init(timeout: block ? timeout : 0)
    }

    /// Nanoseconds left (never negative), or nil when there is no deadline.
    var remainingNanoseconds: Int64? {
        nanoseconds.map { max(0, $0 - monotonicNanoseconds()) }
    }

    var hasExpired: Bool { remainingNanoseconds == 0 }

    /// The timeout argument for poll(2): -1 forever, else milliseconds rounded up.
    var pollMilliseconds: Int32 {
        guard let left = remainingNanoseconds else { return -1 }
        return Int32(clamping: (left + 999_999) / 1_000_000)
    }
}
