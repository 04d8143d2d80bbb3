// Named tasks on a ProcessPoolExecutor, each Python call's twin:
//
//   Python                                   Swift
//   executor.submit(task, 5)                 executor.submit(Task(), 5)
//   executor.submit(add, 3, 4)               executor.submit(Add(), 3, 4)
//   executor.map(task, range(10))            executor.map(Task(), 0..<10)

extension ProcessPoolExecutor {
    /// Queues one call of a named task (its chunks' payloads) with results going to `sink`.
    private func submitNamed(_ payloads: [[UInt8]], sink: JobSink) throws -> Int64 {
        try engine.checkSize(of: payloads)
        switch engine.submit(chunks: payloads.count, body: nil, payloads: payloads, sink: sink) {
        case .success(let job): return job
        case .failure(let refused): throw refusal(refused.state)
        }
    }

    private func submitOne<R: Decodable>(_ payloads: [[UInt8]]) throws -> Future<R> {
        let future = Future<R>()
        let job = try submitNamed(payloads, sink: SingleSink<R>(completion: future.completion))
        future.bind(engine: engine, job: job)
        return future
    }

    /// Schedules `task` with `argument` in a worker and returns its future: Python's
    /// `executor.submit(task, 5)`.
    ///
    /// - Throws: ``ExecutorError/shutdown`` after ``shutdown(wait:cancelFutures:)``;
    ///   ``ExecutorError/brokenProcessPool(reason:)`` once a worker died;
    ///   ``PoolError/unnamedTask(typeName:)`` for a type the runtime cannot find by name.
    public func submit<T: PoolTask>(_ task: T, _ argument: T.Input) throws -> Future<T.Output> {
        try submitOne(TaskPayload.chunks(task, [argument], chunkSize: 1))
    }

    /// Schedules a two-argument `task` in a worker: Python's `executor.submit(add, 3, 4)`.
    public func submit<T: PairTask>(_ task: T, _ first: T.First, _ second: T.Second) throws -> Future<T.Output> {
        try submitOne(TaskPayload.chunks(task, [(first, second)], chunkSize: 1))
    }

    /// Runs `task` on every item in the workers, as Python's `executor.map(task, range(10))`:
    /// every chunk is submitted now, and the returned sequence yields the results in order as
    /// they become ready (``ExecutorMapResults/values()`` collects them, as `list(...)`).
    ///
    /// - Parameters:
    ///   - task: The named task, run in the workers.
    ///   - items: The arguments, one call each; read at once.
    ///   - timeout: Seconds from this call within which every result must be ready (nil: no
    ///     limit); when it runs out, iteration yields ``ExecutorError/timeout(seconds:)``.
    ///   - chunkSize: Items per task (default 1, as Python).
    /// - Throws: ``ExecutorError/invalidChunkSize(_:)``, ``ExecutorError/shutdown``,
    ///   ``ExecutorError/brokenProcessPool(reason:)`` or ``PoolError/unnamedTask(typeName:)``
    ///   when the work cannot be submitted (the chunks already submitted are cancelled). A task's
    ///   error (its own type when `Codable`) is yielded by the sequence.
    public func map<T: PoolTask, S: Sequence>(
        _ task: T, _ items: S, timeout: Double? = nil, chunkSize: Int = 1
    ) throws -> ExecutorMapResults<T.Output> where S.Element == T.Input {
        guard chunkSize >= 1 else { throw ExecutorError.invalidChunkSize(chunkSize) }
        let deadline = Deadline(timeout: timeout)
        let array = Array(items)
        let payloads = try TaskPayload.chunks(task, array, chunkSize: chunkSize)
        try engine.checkSize(of: payloads)
        var chunks: [Future<[T.Output]>] = []
        do {
            for (index, payload) in payloads.enumerated() {
                let count = min(chunkSize, array.count - index * chunkSize)
                let future = Future<[T.Output]>()
                let sink = MapSink<T.Output>(count: count, chunkSize: count, completion: future.completion)
                future.bind(engine: engine, job: try submitNamed([payload], sink: sink))
                chunks.append(future)
            }
        } catch {
            for submitted in chunks { submitted.cancel() }
            throw error
        }
        return ExecutorMapResults(chunks: chunks, deadline: deadline, timeout: timeout)
    }
}
