/// The eventual result of ``ProcessPoolExecutor/submit(_:)``: Python's `concurrent.futures.Future`.
///
/// ```swift
/// let future = try executor.submit { task(5) }
/// print("Result: \(try future.result())")  // Result: 25
/// ```
public final class Future<Value>: @unchecked Sendable {
    let completion: Completion<Value>
    private weak var engine: WorkerEngine?
    private var job: Int64 = 0

    init(completion: Completion<Value> = Completion()) {
        self.completion = completion
    }

    func bind(engine: WorkerEngine, job: Int64) {
        self.engine = engine
        self.job = job
    }

    /// The result, waiting at most `timeout` seconds (nil: forever).
    ///
    /// - Throws: ``ExecutorError/timeout(seconds:)`` when the time runs out (the task keeps
    ///   running); ``ExecutorError/cancelled`` for a cancelled future; the task's error as a
    ///   ``WorkerError``; ``ExecutorError/brokenProcessPool(reason:)`` when a worker died.
    public func result(timeout: Double? = nil) throws -> Value {
        switch completion.wait(until: Deadline(timeout: timeout)) {
        case .succeeded(let value): return value
        case .failed(let error): throw error
        case .cancelled: throw ExecutorError.cancelled
        case .pending: throw ExecutorError.timeout(seconds: timeout ?? 0)
        }
    }

    /// The error the task ended with, or nil when it succeeded; waits at most `timeout`
    /// seconds. Python's `exception()`.
    ///
    /// - Throws: ``ExecutorError/timeout(seconds:)`` or ``ExecutorError/cancelled``.
    public func error(timeout: Double? = nil) throws -> (any Error)? {
        switch completion.wait(until: Deadline(timeout: timeout)) {
        case .succeeded: return nil
        case .failed(let error): return error
        case .cancelled: throw ExecutorError.cancelled
        case .pending: throw ExecutorError.timeout(seconds: timeout ?? 0)
        }
    }

    /// Whether the future finished: with a result, an error, or cancelled.
    public func done() -> Bool { completion.isDone }

    /// Cancels the task if it has not started; returns whether the future is now cancelled.
    /// A running or finished task cannot be cancelled.
    @discardableResult
    public func cancel() -> Bool {
        if cancelled() { return true }
        guard !done(), let engine, engine.cancel(job: job) else { return false }
        return completion.finish(.cancelled) || cancelled()
    }

    /// Whether the future was cancelled.
    public func cancelled() -> Bool {
        if case .cancelled = completion.wait(until: .expired) { return true }
        return false
    }

    /// Whether a worker is running the task right now.
    public func running() -> Bool {
        guard !done(), let engine else { return false }
        return engine.isRunning(job: job)
    }

    /// Calls `callback` with this future when it finishes (at once if it already has). It runs
    /// in this process, on the executor's handler thread (or the calling thread when done).
    public func addDoneCallback(_ callback: @escaping (Future<Value>) -> Void) {
        completion.onFinish { [self] _ in callback(self) }
    }
}
