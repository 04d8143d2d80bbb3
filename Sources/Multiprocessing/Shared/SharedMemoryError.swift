/// Misuse of a shared ``Value`` or ``SharedArray``.
public enum SharedMemoryError: Error, Equatable, CustomStringConvertible {
    /// An index outside `0 ..< count` (Python's `IndexError`).
    case indexOutOfRange(index: Int, count: Int)
    /// A negative element count.
    case negativeCount(Int)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let count):
            "SharedArray index \(index) out of range: valid indices are 0..<\(count)"
        case .negativeCount(let count):
            "a SharedArray cannot have \(count) elements: use a count of 0 or more"
        }
    }
}
