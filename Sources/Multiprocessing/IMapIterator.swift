/// The results of `Pool.imap` and `Pool.imapUnordered`,
/// yielded as they become ready: Python's `IMapIterator`.
///
/// A `for` loop yields each result as a `Result`: `.failure` carries a failed task's error
/// (a ``WorkerError``), ``PoolError/workerDied(worker:pid:exitCode:)`` or
/// ``PoolError/terminated``, and the loop goes on with the next results, as Python's iterator
/// does after raising. `try result.get()` turns a failure into a thrown error, where Python
/// would raise:
///
/// ```swift
/// for result in try pool.imap(square, 0..<5) {
///     print(try result.get())
/// }
/// ```
///
/// ``next(timeout:)`` gives the plain values and throws instead (Python's `next(timeout)`):
/// `while let value = try results.next(timeout: nil) { ... }`. Both read the same stream: each result
/// is taken once.
public final class IMapIterator<Value: Decodable>: Sequence, IteratorProtocol, @unchecked Sendable {
    private let sink: StreamSink<Value>
    private var chunkIndex = 0
    private var buffer: [Value] = []
    private var bufferPosition = 0

    init(sink: StreamSink<Value>) {
        self.sink = sink
    }

    /// The next result, waiting at most `timeout` seconds for it (nil: as long as it takes);
    /// nil after the last one.
    ///
    /// - Throws: The task's error (a ``WorkerError``), ``PoolError/workerDied(worker:pid:exitCode:)``,
    ///   ``PoolError/terminated``, or ``PoolError/timeout(seconds:)`` (the result may still
    ///   come: call again). After a task error the following results can still be taken.
    public func next(timeout: Double?) throws -> Value? {
        if bufferPosition < buffer.count {
            defer { bufferPosition += 1 }
            return buffer[bufferPosition]
        }
        guard chunkIndex < sink.chunkCount else { return nil }
        guard let result = sink.chunk(chunkIndex, deadline: Deadline(timeout: timeout)) else {
            throw PoolError.timeout(seconds: timeout ?? 0)
        }
        chunkIndex += 1
        switch result {
        case .success(let values):
            buffer = values
            bufferPosition = 0
            return try next(timeout: 0)
        case .failure(let error):
            buffer = []
            bufferPosition = 0
            throw error
        }
    }

    /// The next result or failure, waiting as long as it takes; nil after the last one.
    public func next() -> Result<Value, any Error>? {
        do {
            guard let value = try next(timeout: nil) else { return nil }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}
