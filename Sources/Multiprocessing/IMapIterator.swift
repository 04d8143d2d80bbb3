/// The results of `Pool.imap` and `Pool.imapUnordered`,
/// yielded as they become ready: Python's `IMapIterator`.
///
/// Use it in a `for` loop, or call ``next(timeout:)`` to handle a failed task or a timeout.
/// In a `for` loop a failed task stops the program with the worker's message, as an uncaught
/// exception does in Python.
public final class IMapIterator<Element: Decodable>: Sequence, IteratorProtocol, @unchecked Sendable {
    private let sink: StreamSink<Element>
    private var chunkIndex = 0
    private var buffer: [Element] = []
    private var bufferPosition = 0

    init(sink: StreamSink<Element>) {
        self.sink = sink
    }

    /// The next result, waiting at most `timeout` seconds for it; nil after the last one.
    ///
    /// - Throws: The task's error (a ``WorkerError``), ``PoolError/workerDied(worker:pid:exitCode:)``,
    ///   ``PoolError/terminated``, or ``PoolError/timeout(seconds:)``.
    public func next(timeout: Double?) throws -> Element? {
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

    /// The next result, or nil after the last one; a failed task stops the program with its
    /// message (use ``next(timeout:)`` to catch it).
    public func next() -> Element? {
        do {
            return try next(timeout: nil)
        } catch {
            fatalError("imap task failed: \(error)")
        }
    }
}
