/// A fixed-length array in shared memory: Python's `multiprocessing.Array` (renamed, since
/// `Array` is Swift's own).
///
/// Like ``Value``, each element access takes the array's lock; hold ``getLock()`` around a
/// read-modify-write. The subscripts trap on an out-of-range index or range, as Swift arrays
/// do; ``get(_:)`` and ``set(_:_:)`` throw ``SharedMemoryError/indexOutOfRange(index:count:)``
/// instead. A range reads or writes a slice under one lock (Python's `arr[1:3]`), as an array.
///
/// ```swift
/// let numbers = try SharedArray<Double>([1, 2, 3])
/// numbers[0] = 9
/// numbers[1...] = [7, 8]
/// print(numbers[...])   // [9.0, 7.0, 8.0]
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

    /// Creates a shared array holding a copy of `values`, guarded by `lock` (Python's
    /// `Array('i', values, lock=shared_lock)`); ``getLock()`` returns it.
    ///
    /// - Parameters:
    ///   - values: the initial elements; their number is the array's fixed count.
    ///   - lock: the lock every element access takes.
    public init(_ values: [T], lock: RLock) throws {
        count = values.count
        region = try SharedRegion(size: Swift.max(1, values.count) * MemoryLayout<T>.stride)
        self.lock = lock
        locking = true
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

    /// Every element, read or written under the lock (Python's `arr[:]`). The new value
    /// must have ``count`` elements.
    public subscript(_: UnboundedRange) -> [T] {
        get { copy() }
        set { self[0..<count] = newValue }
    }

    /// The elements in `bounds`, read or written under the lock (Python's `arr[1:3]`). Traps
    /// when `bounds` is not within `0..<count`, or when the new value has a different length
    /// (a shared array cannot grow or shrink).
    public subscript<R: RangeExpression>(bounds: R) -> [T] where R.Bound == Int {
        get {
            let range = checked(bounds)
            return locked { [T](UnsafeBufferPointer(start: elements + range.lowerBound, count: range.count)) }
        }
        set {
            let range = checked(bounds)
            precondition(newValue.count == range.count,
                         "cannot assign \(newValue.count) elements to the \(range.count) elements \(range) of a SharedArray: a shared array's length is fixed")
            newValue.withUnsafeBufferPointer { source in
                locked {
                    if let base = source.baseAddress { (elements + range.lowerBound).update(from: base, count: range.count) }
                }
            }
        }
    }

    private func checked<R: RangeExpression>(_ bounds: R) -> Range<Int> where R.Bound == Int {
        let range = bounds.relative(to: 0..<count)
        precondition(range.lowerBound >= 0 && range.upperBound <= count,
                     "SharedArray range \(range) out of bounds: valid indices are 0..<\(count)")
        return range
    }

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
