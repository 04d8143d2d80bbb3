/// A pool of worker processes with futures, like Python's
/// `concurrent.futures.ProcessPoolExecutor`.
///
/// ```swift
/// struct Task: PoolTask { func callAsFunction(_ n: Int) -> Int { n * n } }
///
/// try withProcessPoolExecutor(maxWorkers: 4) { executor in
///     let future = try executor.submit(Task(), 5)
///     print("Result: \(try future.result())")
///     print("Results: \(try executor.map(Task(), 0..<10))")
/// }
/// ```
///
/// The executor starts `maxWorkers` workers when it is made; named tasks (``PoolTask``,
/// ``PairTask``) run in them for its whole life. Closures are accepted too, at the cost
/// described in ``Pool``. Unlike ``Pool``, a worker that dies abruptly breaks the executor, as
/// Python's `BrokenProcessPool`: every pending future fails with
/// ``ExecutorError/brokenProcessPool(reason:)`` and new work is refused.
public final class ProcessPoolExecutor: @unchecked Sendable {
    /// The maximum number of worker processes.
    public let maxWorkers: Int
    let engine: WorkerEngine

    /// Creates an executor with at most `maxWorkers` workers (nil: ``cpuCount()``).
    ///
    /// - Parameters:
    ///   - maxWorkers: The most workers at once (nil: ``cpuCount()``).
    ///   - initializer: Runs once in each worker before its first task; a thrown error breaks
    ///     the executor.
    ///   - context: How workers start (``getContext(_:)``); nil: the program's start method.
    /// - Throws: ``ExecutorError/invalidMaxWorkers(_:)``, ``PoolError/closureNeedsFork`` for an
    ///   initializer under spawn, or a ``SystemError``.
    public init(maxWorkers: Int? = nil, initializer: (() throws -> Void)? = nil, context: Context? = nil) throws {
        let count = maxWorkers ?? cpuCount()
        guard count >= 1 else { throw ExecutorError.invalidMaxWorkers(count) }
        self.maxWorkers = count
        engine = try WorkerEngine(
            flavor: .executor, processes: count, initializer: initializer, maxTasksPerChild: nil,
            startMethod: (context ?? getContext()).startMethod)
    }

    deinit {
        engine.terminate(failingWith: ExecutorError.shutdown)
    }

    func refusal(_ state: WorkerEngine.State) -> ExecutorError {
        if case .broken(let reason) = state { return .brokenProcessPool(reason: reason) }
        return .shutdown
    }

    // MARK: Submitting

    /// Schedules `f` to run in a worker and returns its future, as Python's `submit(fn, *args)`.
    ///
    /// - Throws: ``ExecutorError/shutdown`` after ``shutdown(wait:cancelFutures:)``;
    ///   ``ExecutorError/brokenProcessPool(reason:)`` once a worker died.
    public func submit<R: Codable>(_ f: @escaping () throws -> R) throws -> Future<R> {
        if engine.startMethod != .fork { throw PoolError.closureNeedsFork }
        let future = Future<R>()
        let body: JobBody = { _, out in
            let value = try f()
            try PoolWire.encode([value], to: &out)
        }
        switch engine.submit(chunks: 1, body: body, sink: SingleSink<R>(completion: future.completion)) {
        case .success(let job): future.bind(engine: engine, job: job)
        case .failure(let refused): throw refusal(refused.state)
        }
        return future
    }

    /// `submit` with Python's shape: `executor.submit(task, 5)`.
    public func submit<A, R: Codable>(_ f: @escaping (A) throws -> R, _ argument: A) throws -> Future<R> {
        try submit { try f(argument) }
    }

    /// `submit` with two arguments: `executor.submit(add, 3, 4)`.
    public func submit<A, B, R: Codable>(_ f: @escaping (A, B) throws -> R, _ first: A, _ second: B) throws -> Future<R> {
        try submit { try f(first, second) }
    }

    /// Runs a map job over `count` items (closure `body`, or one named-task payload per chunk)
    /// and waits for its results.
    @usableFromInline
    func runMap<R: Decodable>(
        count: Int, chunkSize: Int, timeout: Double?, body: JobBody?, payloads: [[UInt8]] = []
    ) throws -> [R] {
        if body != nil, engine.startMethod != .fork { throw PoolError.closureNeedsFork }
        let completion = Completion<[R]>()
        let sink = MapSink<R>(count: count, chunkSize: chunkSize, completion: completion)
        if count == 0 {
            if let refused = engine.refusal { throw refusal(refused) }
            return []
        }
        if case .failure(let refused) = engine.submit(chunks: sink.chunkCount, body: body, payloads: payloads, sink: sink) {
            throw refusal(refused.state)
        }
        switch completion.wait(until: Deadline(timeout: timeout)) {
        case .succeeded(let values): return values
        case .failed(let error): throw error
        case .cancelled: throw ExecutorError.cancelled
        case .pending: throw ExecutorError.timeout(seconds: timeout ?? 0)
        }
    }

    // MARK: Stopping

    /// Stops accepting work, as Python's `shutdown`.
    ///
    /// - Parameters:
    ///   - wait: Wait until pending work is done and the workers have exited.
    ///   - cancelFutures: Cancel the futures that have not started.
    public func shutdown(wait: Bool = true, cancelFutures: Bool = false) {
        if cancelFutures {
            for sink in engine.cancelPending() { sink.cancel() }
        }
        engine.close()
        if wait { engine.waitForHandler(deadline: .forever) }
    }
}

/// Creates an executor, passes it to `body`, and shuts it down (waiting for pending work)
/// when `body` returns or throws: Python's `with ProcessPoolExecutor(max_workers=4) as executor:`.
public func withProcessPoolExecutor<T>(
    maxWorkers: Int? = nil, initializer: (() throws -> Void)? = nil, context: Context? = nil,
    _ body: (ProcessPoolExecutor) throws -> T
) throws -> T {
    let executor = try ProcessPoolExecutor(maxWorkers: maxWorkers, initializer: initializer, context: context)
    defer { executor.shutdown(wait: true) }
    return try body(executor)
}
