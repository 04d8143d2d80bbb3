// `ProcessPoolExecutor.map`, as Python's `Executor.map(fn, *iterables, timeout, chunksize)`:
// every task is submitted at the call (through `submit`, one future per chunk), and the results
// come back lazily, in order, as the loop asks for them.

extension ProcessPoolExecutor {
    /// Applies `f` to every item in the workers, as Python's `executor.map(fn, items)`: the
    /// tasks are all submitted now, and the returned sequence yields their results in order
    /// as they become ready.
    ///
    /// ```swift
    /// for result in try executor.map(task, 0..<10) { print(try result.get()) }
    /// let all = try executor.map(task, 0..<10).values()   // list(executor.map(...))
    /// ```
    ///
    /// - Parameters:
    ///   - f: The function to apply, run in a worker; its result crosses back as `Codable`.
    ///   - items: The arguments, one call each; read at once.
    ///   - timeout: Seconds from this call within which every result must be ready (nil: no
    ///     limit); when it runs out, iteration yields ``ExecutorError/timeout(seconds:)``.
    ///   - chunkSize: Items per task (default 1, as Python).
    /// - Throws: ``ExecutorError/invalidChunkSize(_:)``, ``ExecutorError/shutdown`` or
    ///   ``ExecutorError/brokenProcessPool(reason:)`` when the work cannot be submitted (the
    ///   chunks already submitted are cancelled).
    public func map<S: Sequence, R: Codable>(
        _ f: @escaping (S.Element) throws -> R, _ items: S, timeout: Double? = nil, chunkSize: Int = 1
    ) throws -> ExecutorMapResults<R> {
        guard chunkSize >= 1 else { throw ExecutorError.invalidChunkSize(chunkSize) }
        let deadline = Deadline(timeout: timeout)
        var chunks: [Future<[R]>] = []
        var chunk: [S.Element] = []
        chunk.reserveCapacity(chunkSize)
        do {
            for item in items {
                chunk.append(item)
                if chunk.count == chunkSize {
                    chunks.append(try submit { [chunk] in try chunk.map(f) })
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { chunks.append(try submit { [chunk] in try chunk.map(f) }) }
        } catch {
            for submitted in chunks { submitted.cancel() }
            throw error
        }
        return ExecutorMapResults(chunks: chunks, deadline: deadline, timeout: timeout)
    }

    /// `map` with the function last: `executor.map(0..<10) { x in x * x }`.
    public func map<S: Sequence, R: Codable>(
        _ items: S, timeout: Double? = nil, chunkSize: Int = 1, _ f: @escaping (S.Element) throws -> R
    ) throws -> ExecutorMapResults<R> {
        try map(f, items, timeout: timeout, chunkSize: chunkSize)
    }

    /// `map` over two sequences in step, as Python's `executor.map(fn, xs, ys)`: `f` gets one
    /// item of each; the shorter sequence ends the work.
    public func map<S1: Sequence, S2: Sequence, R: Codable>(
        _ f: @escaping (S1.Element, S2.Element) throws -> R, _ first: S1, _ second: S2,
        timeout: Double? = nil, chunkSize: Int = 1
    ) throws -> ExecutorMapResults<R> {
        try map({ try f($0.0, $0.1) }, zip(first, second), timeout: timeout, chunkSize: chunkSize)
    }

    /// `map` over three sequences in step, as Python's `executor.map(fn, xs, ys, zs)`.
    public func map<S1: Sequence, S2: Sequence, S3: Sequence, R: Codable>(
        _ f: @escaping (S1.Element, S2.Element, S3.Element) throws -> R, _ first: S1, _ second: S2, _ third: S3,
        timeout: Double? = nil, chunkSize: Int = 1
    ) throws -> ExecutorMapResults<R> {
        try map({ try f($0.0, $0.1.0, $0.1.1) }, zip(first, zip(second, third)), timeout: timeout, chunkSize: chunkSize)
    }
}

/// The results of `ProcessPoolExecutor.map(_:_:timeout:chunkSize:)`, in the order of the
/// items, each as a `Result`.
///
/// As Python's `executor.map` generator, the first failure ends it: the loop gets one
/// `.failure` (the task's error, ``ExecutorError/timeout(seconds:)`` when the map's timeout
/// ran out, or ``ExecutorError/brokenProcessPool(reason:)``), the tasks not yet started are
/// cancelled, and the sequence ends. ``values()`` collects every result or throws the failure.
public final class ExecutorMapResults<Value: Codable>: Sequence, IteratorProtocol, @unchecked Sendable {
    private let chunks: [Future<[Value]>]
    private let deadline: Deadline
    private let timeout: Double?
    private var nextChunk = 0
    private var buffer: [Value] = []
    private var position = 0
    private var finished = false

    init(chunks: [Future<[Value]>], deadline: Deadline, timeout: Double?) {
        self.chunks = chunks
        self.deadline = deadline
        self.timeout = timeout
    }

    deinit {
        // Python's generator cancels what has not started once it is closed after a start.
        if nextChunk > 0 { cancelRemaining() }
    }

    /// The next result, waiting for it until the map's timeout; nil after the last one, or
    /// after a failure.
    public func next() -> Result<Value, any Error>? {
        if position < buffer.count {
            defer { position += 1 }
            return .success(buffer[position])
        }
        guard !finished, nextChunk < chunks.count else { return nil }
        let future = chunks[nextChunk]
        nextChunk += 1
        do {
            let left = deadline.remainingNanoseconds.map { Double($0) / 1e9 }
            buffer = try future.result(timeout: left)
            position = 0
            return next()
        } catch {
            finished = true
            cancelRemaining()
            if case ExecutorError.timeout = error { return .failure(ExecutorError.timeout(seconds: timeout ?? 0)) }
            return .failure(error)
        }
    }

    /// The results not yet taken, in order: all of them when called first (Python's
    /// `list(executor.map(...))`).
    ///
    /// - Throws: The first failure (see the type's notes).
    public func values() throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(chunks.count)
        while let result = next() { values.append(try result.get()) }
        return values
    }

    private func cancelRemaining() {
        for future in chunks[nextChunk...] { future.cancel() }
    }
}
