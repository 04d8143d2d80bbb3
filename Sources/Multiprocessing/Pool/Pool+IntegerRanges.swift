// MARK: - Integer ranges

// With only the generic `map<S: Sequence, R>`, the element type of `0..<100` is inferred
// together with the closure's body, and `pool.map(0..<100) { $0 &* $0 }` came out as
// `[Int128]` (the integer literal took the type whose `&*` the solver met first), which the
// codec then refused at run time. These overloads take the ranges learners write with `Int`
// elements, so an integer literal range means `Int` as everywhere else in Swift. They only
// forward to the generic versions.
extension Pool {
    /// ``map(_:chunkSize:_:)`` over a range of `Int`: `pool.map(0..<10) { $0 * $0 }`.
    @inlinable
    public func map<R: Codable>(
        _ items: Range<Int>, chunkSize: Int? = nil, _ f: @escaping (Int) throws -> R
    ) throws -> [R] {
        try mapAsync(Array(items), chunkSize: chunkSize, f).get()
    }

    /// ``map(_:chunkSize:_:)`` over a closed range of `Int`: `pool.map(1...10) { $0 * 2 }`.
    @inlinable
    public func map<R: Codable>(
        _ items: ClosedRange<Int>, chunkSize: Int? = nil, _ f: @escaping (Int) throws -> R
    ) throws -> [R] {
        try mapAsync(Array(items), chunkSize: chunkSize, f).get()
    }

    /// ``mapAsync(_:chunkSize:callback:errorCallback:_:)`` over a range of `Int`.
    @inlinable
    public func mapAsync<R: Codable>(
        _ items: Range<Int>, chunkSize: Int? = nil,
        callback: (([R]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil,
        _ f: @escaping (Int) throws -> R
    ) throws -> AsyncResult<[R]> {
        try mapAsync(Array(items), chunkSize: chunkSize, callback: callback, errorCallback: errorCallback, f)
    }

    /// ``imap(_:chunkSize:_:)`` over a range of `Int`.
    @inlinable
    public func imap<R: Codable>(
        _ items: Range<Int>, chunkSize: Int = 1, _ f: @escaping (Int) throws -> R
    ) throws -> IMapIterator<R> {
        try imap(Array(items), chunkSize: chunkSize, f)
    }

    /// ``imapUnordered(_:chunkSize:_:)`` over a range of `Int`.
    @inlinable
    public func imapUnordered<R: Codable>(
        _ items: Range<Int>, chunkSize: Int = 1, _ f: @escaping (Int) throws -> R
    ) throws -> IMapIterator<R> {
        try imapUnordered(Array(items), chunkSize: chunkSize, f)
    }
}
