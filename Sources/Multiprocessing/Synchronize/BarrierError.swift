/// Errors of a ``Barrier``.
public enum BarrierError: Error, Equatable, CustomStringConvertible {
    /// A barrier needs at least one party (Python's `ValueError`).
    case invalidParties(Int)
    /// The barrier is broken: a waiter timed out, the action threw, a participant died, or
    /// ``Barrier/abort()`` / ``Barrier/reset()`` was called (Python's `BrokenBarrierError`).
    case broken

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidParties(let parties):
            "a Barrier needs at least 1 party, got \(parties)"
        case .broken:
            "the barrier is broken (a waiter timed out, its action failed, or it was aborted or reset): call reset() before using it again"
        }
    }
}
