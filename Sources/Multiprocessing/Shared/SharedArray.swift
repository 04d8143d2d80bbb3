/// A fixed-length array in shared memory: Python's `multiprocessing.Array` (renamed, since
/// `Array` is Swift's own).
///
/// Like ``Value``, each element access takes the array's lock; hold ``getLock()`` around a
/// read-modify-write. The subscript traps on an out-of-range index, as Swift arrays do;
/// ``get(_:)`` and ``set(_:_:)`` throw ``SharedMemoryError/indexOutOfRange(index:count:)``
/// instead.
///
/// ```swift
/// let numbers = try SharedArray<Double>([1, 2, 3])
/// numbers[0] = 9
/// print(numbers[...])   // [9.0, 2.0, 3.0]
/// ```
public final class SharedArray<T: SharedScalar>: @unchecked Sendable, Sequence {
    let region: SharedRegion
    @usableFromInline let elements: UnsafeMutablePointer<T>
    @usableFromInline let lock: RLock
    @usableFromInline let locking: Bool

    /// The number of elements (fixed at creation).
    public let count: Int

    /// Creates a shared array holding a copy of `values`.
    ///
    /// - Parameters:
    ///   - values: the initial elements; their number is the array's fixed count.
    ///   - lock: when false, element accesses do not lock (Python's `lock=False`).
    public init(_ values: [T], lock: Bool = true) throws {
        count = values.count
        region = try SharedRegion(size: FutexMutex.byteCount + 64 + Swift.max(1, values.count) * MemoryLayout<T>.stride)
        self.lock = RLock(in: region)
        locking = lock
        elements = region.allocate(T.self, count: Swift.max(1, values.count))
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { elements.initialize(from: base, count: source.count) }
        }
    }

    /// Creates a shared array of `count` copies of `value` (Python's `Array('i', 10)` is
    /// `SharedArray<Int32>(repeating: 0, count: 10)`).
    ///
    /// - Throws: ``SharedMemoryError/negativeCount(_:)`` when `count` < 0.
    public convenience init(repeating value: T, count: Int, lock: Bool = true) throws {
        guard count >= 0 else { throw SharedMemoryError.negativeCount(count) }
        try self.init([T](repeating: value, count: count), lock: lock)
    }

    /// The element at `index`. Traps with a clear message when `index` is out of range.
    @inlinable
    public subscript(index: Int) -> T {
        get {
            precondition(index >= 0 && index < count, "\(SharedMemoryError.indexOutOfRange(index: index, count: count))")
            return locked { elements[index] }
        }
        set {
            precondition(index >= 0 && index < count, "\(SharedMemoryError.indexOutOfRange(index: index, count: count))")
            locked { elements[index] = newValue }
        }
    }

    /// A copy of every element, taken under the lock (Python's `arr[:]`).
    public subscript(_: UnboundedRange) -> [T] { copy() }

    /// The element at `index`.
    ///
    /// - Throws: ``SharedMemoryError/indexOutOfRange(index:count:)``.
    @inlinable
    public func get(_ index: Int) throws -> T {
        guard index >= 0 && index < count else { throw SharedMemoryError.indexOutOfRange(index: index, count: count) }
        return locked { elements[index] }
    }

    /// Stores `value` at `index`.
    ///
    /// - Throws: ``SharedMemoryError/indexOutOfRange(index:count:)``.
    @inlinable
    public func set(_ index: Int, _ value: T) throws {
        guard index >= 0 && index < count else { throw SharedMemoryError.indexOutOfRange(index: index, count: count) }
        locked { elements[index] = value }
    }

    /// A copy of every element, taken under the lock.
    public func copy() -> [T] {
        locked { [T](UnsafeBufferPointer(start: elements, count: count)) }
    }

    /// Iterates over a copy taken when iteration starts.
    public func makeIterator() -> IndexingIterator<[T]> { copy().makeIterator() }

    /// The recursive lock guarding the elements (Python's `get_lock()`).
    public func getLock() -> RLock { lock }

    @inlinable
    func locked<R>(_ body: () -> R) -> R {
        guard locking else { return body() }
        let took = lock.lockForAccess()
        defer { if took { lock.unlockAfterAccess() } }
        return body()
    }
}
