// Named tasks on a Pool: each Python call has its twin, line by line.
//
//   Python                                   Swift
//   pool.map(square, range(10))              pool.map(Square(), 0..<10)
//   pool.map_async(square, range(5))         pool.mapAsync(Square(), 0..<5)
//   pool.apply(add, (1, 2))                  pool.apply(Add(), (1, 2))
//   pool.apply_async(add, (3, 4))            pool.applyAsync(Add(), (3, 4))
//   pool.starmap(add, [(1, 2), (3, 4)])      pool.starmap(Add(), [(1, 2), (3, 4)])
//   pool.imap(process_item, items)           pool.imap(ProcessItem(), items)
//   pool.imap_unordered(task, items)         pool.imapUnordered(Task(), items)

extension Pool {
    /// Queues one call of a named task, `payloads` being its chunks, with results going to `sink`.
    func submitNamed(_ payloads: [[UInt8]], sink: JobSink) throws {
        try engine.checkSize(of: payloads)
        try submit(chunks: payloads.count, body: nil, payloads: payloads, sink: sink)
    }

    private func startMap<R: Decodable>(
        count: Int, chunkSize: Int, payloads: [[UInt8]],
        callback: (([R]) -> Void)?, errorCallback: ((any Error) -> Void)?
    ) throws -> AsyncResult<[R]> {
        let result = AsyncResult<[R]>()
        Self.attach(result, callback, errorCallback)
        try submitNamed(payloads, sink: MapSink<R>(count: count, chunkSize: chunkSize, completion: result.completion))
        if count == 0 { result.completion.succeed([]) }
        return result
    }

    private func startApply<R: Decodable>(
        _ payloads: [[UInt8]], callback: ((R) -> Void)?, errorCallback: ((any Error) -> Void)?
    ) throws -> AsyncResult<R> {
        let result = AsyncResult<R>()
        Self.attach(result, callback, errorCallback)
        try submitNamed(payloads, sink: SingleSink<R>(completion: result.completion))
        return result
    }

    // MARK: map

    /// Runs `task` on every item in the workers and returns the results in the items' order:
    /// Python's `pool.map(square, range(10))`.
    ///
    /// ```swift
    /// struct Square: PoolTask {
    ///     func callAsFunction(_ x: Int) -> Int { x * x }
    /// }
    /// let squares = try pool.map(Square(), 0..<10)
    /// ```
    /// - Parameters:
    ///   - task: The work, sent to the workers by name with its stored properties.
    ///   - items: The arguments; read once, at the call.
    ///   - chunkSize: Items per task; nil picks about four chunks per worker, as Python.
    /// - Throws: The first failure among the tasks: the task's own error when its type is
    ///   `Codable`, else a ``WorkerError``; ``PoolError/workerDied(worker:pid:exitCode:)``;
    ///   ``PoolError/unnamedTask(typeName:)`` for a type the runtime cannot find by name;
    ///   ``PoolError/closed``, ``PoolError/terminated``, ``PoolError/invalidChunkSize(_:)``.
    public func map<T: PoolTask, S: Sequence>(_ task: T, _ items: S, chunkSize: Int? = nil) throws -> [T.Output]
    where S.Element == T.Input {
        try mapAsync(task, items, chunkSize: chunkSize).get()
    }

    /// Starts a `map(_:_:chunkSize:)` and returns at once: Python's `map_async`.
    ///
    /// - Parameters:
    ///   - task: The named task, run in the workers.
    ///   - items: The arguments, one call each.
    ///   - chunkSize: Items per task (nil: about four chunks per worker, as Python).
    ///   - callback: Called with the results when all are ready (in this process, on the
    ///     pool's handler thread: keep it short, and do not wait for other pool results in it).
    ///   - errorCallback: Called with the error instead when a task failed.
    public func mapAsync<T: PoolTask, S: Sequence>(
        _ task: T, _ items: S, chunkSize: Int? = nil,
        callback: (([T.Output]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<[T.Output]> where S.Element == T.Input {
        let array = Array(items)
        let size = try resolvedChunkSize(chunkSize, count: array.count)
        return try startMap(
            count: array.count, chunkSize: size, payloads: TaskPayload.chunks(task, array, chunkSize: size),
            callback: callback, errorCallback: errorCallback)
    }

    // MARK: apply

    /// Runs `task` once in a worker with `argument` and returns its result: Python's
    /// `pool.apply(square, (5,))`.
    public func apply<T: PoolTask>(_ task: T, _ argument: T.Input) throws -> T.Output {
        try applyAsync(task, argument).get()
    }

    /// Runs a two-argument `task` once in a worker: Python's `pool.apply(add, (1, 2))`.
    public func apply<T: PairTask>(_ task: T, _ arguments: (T.First, T.Second)) throws -> T.Output {
        try applyAsync(task, arguments).get()
    }

    /// Starts `task` with `argument` in a worker and returns at once: Python's `apply_async`.
    ///
    /// - Parameters:
    ///   - task: The named task, run in a worker.
    ///   - argument: Its argument, crossing as a `Codable` value.
    ///   - callback: Called with the result (in this process, on the pool's handler thread).
    ///   - errorCallback: Called with the error instead when the task failed.
    public func applyAsync<T: PoolTask>(
        _ task: T, _ argument: T.Input,
        callback: ((T.Output) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<T.Output> {
        try startApply(TaskPayload.chunks(task, [argument], chunkSize: 1), callback: callback, errorCallback: errorCallback)
    }

    /// Starts a two-argument `task` in a worker and returns at once: Python's
    /// `pool.apply_async(add, (3, 4))`.
    public func applyAsync<T: PairTask>(
        _ task: T, _ arguments: (T.First, T.Second),
        callback: ((T.Output) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<T.Output> {
        try startApply(TaskPayload.chunks(task, [arguments], chunkSize: 1), callback: callback, errorCallback: errorCallback)
    }

    // MARK: starmap

    /// Runs a two-argument `task` on each pair, results in order: Python's
    /// `pool.starmap(add, [(1, 2), (3, 4), (5, 6)])`. Swift tuples are not `Codable`; the pool
    /// sends each pair's two values and the task takes them as two parameters (``PairTask``).
    public func starmap<T: PairTask, S: Sequence>(_ task: T, _ items: S, chunkSize: Int? = nil) throws -> [T.Output]
    where S.Element == (T.First, T.Second) {
        try starmapAsync(task, items, chunkSize: chunkSize).get()
    }

    /// Starts a `starmap(_:_:chunkSize:)` and returns at once: Python's `starmap_async`.
    public func starmapAsync<T: PairTask, S: Sequence>(
        _ task: T, _ items: S, chunkSize: Int? = nil,
        callback: (([T.Output]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<[T.Output]> where S.Element == (T.First, T.Second) {
        let array = Array(items)
        let size = try resolvedChunkSize(chunkSize, count: array.count)
        return try startMap(
            count: array.count, chunkSize: size, payloads: TaskPayload.chunks(task, array, chunkSize: size),
            callback: callback, errorCallback: errorCallback)
    }

    // MARK: imap

    /// Runs `task` on every item and yields the results in order as they become ready:
    /// Python's `pool.imap(process_item, items)`.
    ///
    /// - Parameters:
    ///   - task: The named task, run in the workers.
    ///   - items: The arguments, one call each.
    ///   - chunkSize: Items per task (default 1, as Python).
    public func imap<T: PoolTask, S: Sequence>(_ task: T, _ items: S, chunkSize: Int = 1) throws -> IMapIterator<T.Output>
    where S.Element == T.Input {
        try stream(task, items, chunkSize: chunkSize, ordered: true)
    }

    /// Like `imap(_:_:chunkSize:)`, but yields results as they complete, in any
    /// order: Python's `pool.imap_unordered(task, items)`.
    public func imapUnordered<T: PoolTask, S: Sequence>(_ task: T, _ items: S, chunkSize: Int = 1) throws -> IMapIterator<T.Output>
    where S.Element == T.Input {
        try stream(task, items, chunkSize: chunkSize, ordered: false)
    }

    private func stream<T: PoolTask, S: Sequence>(_ task: T, _ items: S, chunkSize: Int, ordered: Bool) throws -> IMapIterator<T.Output>
    where S.Element == T.Input {
        guard chunkSize >= 1 else { throw PoolError.invalidChunkSize(chunkSize) }
        let array = Array(items)
        let sink = StreamSink<T.Output>(count: array.count, chunkSize: chunkSize, ordered: ordered)
        try submitNamed(TaskPayload.chunks(task, array, chunkSize: chunkSize), sink: sink)
        return IMapIterator(sink: sink)
    }
}
