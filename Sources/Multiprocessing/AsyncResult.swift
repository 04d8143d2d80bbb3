/// The result of ``Pool/applyAsync(callback:errorCallback:_:)``,
/// `Pool.mapAsync` and `Pool.starmapAsync`: Python's `AsyncResult`.
///
/// ```swift
/// let pending = try pool.applyAsync { add(3, 4) }
/// print(try pending.get())  // 7
/// ```
///
/// A `callback` or `errorCallback` given with the task has finished running by the time
/// ``get(timeout:)`` or ``wait(timeout:)`` returns, and ``ready()`` is false until then, as
/// in Python.
public final class AsyncResult<Value>: @unchecked Sendable {
    let completion: Completion<Value>

    init(completion: Completion<Value> = Completion()) {
        self.completion = completion
    }

    /// Returns the result once it is ready, waiting at most `timeout` seconds (nil: forever).
    ///
    /// - Throws: ``PoolError/timeout(seconds:)`` when the time runs out; the task's own error
    ///   as a ``WorkerError`` (its message is the worker's); ``PoolError/workerDied(worker:pid:exitCode:)``
    ///   when the worker running it died; ``PoolError/terminated`` after `terminate()`.
    public func get(timeout: Double? = nil) throws -> Value {
        switch completion.wait(until: Deadline(timeout: timeout)) {
        case .succeeded(let value): return value
        case .failed(let error): throw error
        case .cancelled: throw PoolError.terminated
        case .pending: throw PoolError.timeout(seconds: timeout ?? 0)
        }
    }

    /// Waits until the result is ready, or until `timeout` seconds have passed. Like Python,
    /// a timeout is not an error: check ``ready()`` afterwards.
    public func wait(timeout: Double? = nil) {
        _ = completion.wait(until: Deadline(timeout: timeout))
    }

    /// Whether the result (or its error) has arrived.
    public func ready() -> Bool { completion.isDone }

    /// Whether the task finished without an error.
    ///
    /// - Throws: ``PoolError/resultNotReady`` while it is still running, as Python's `ValueError`.
    public func successful() throws -> Bool {
        switch completion.wait(until: .expired) {
        case .succeeded: return true
        case .failed, .cancelled: return false
        case .pending: throw PoolError.resultNotReady
        }
    }
}
