import Glibc

/// A pool of worker processes, like Python's `multiprocessing.Pool`.
///
/// Give it named tasks (``PoolTask``, ``PairTask``): a task crosses to the workers by its
/// type's name with its stored properties, as Python sends a function by name, and the
/// arguments and results cross as `Codable` values. Results come back in order for `map`.
///
/// ```swift
/// struct Square: PoolTask { func callAsFunction(_ x: Int) -> Int { x * x } }
/// struct Add: PairTask { func callAsFunction(_ a: Int, _ b: Int) -> Int { a + b } }
///
/// try withPool(processes: 4) { pool in
///     print(try pool.map(Square(), 0..<10))  // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
///     print(try pool.starmap(Add(), [(1, 2), (3, 4), (5, 6)]))  // [3, 7, 11]
/// }
/// ```
///
/// ### Workers
/// The pool starts `processes` workers when it is made, named `ForkPoolWorker-1` … `-n`,
/// each running the `initializer` once, and they run every named task for the pool's life. A
/// worker is replaced only after `maxTasksPerChild` tasks, when it died, or for a closure.
///
/// ### Closures and their cost
/// Every call also takes a closure (`pool.map(0..<10) { x in x * x }`). A closure made after
/// a worker was forked does not exist in that worker: the call is registered with an id
/// before its tasks are queued, and an idle worker that meets a newer closure call exits and
/// is replaced by a fresh fork that knows it (which runs the `initializer` again). So a
/// closure call usually costs one fork per worker; a burst of `applyAsync` calls costs a
/// handful of forks, not one per call. There are never more than `processes` workers.
///
/// ### Failures
/// An error thrown by a task is re-thrown by `get()` or `map` as itself when its type is
/// `Codable`, otherwise as a ``WorkerError`` carrying the worker's message; other tasks are
/// unaffected. A worker killed while running a task (a signal, a crash, `fatalError`) fails
/// exactly the affected results with ``PoolError/workerDied(worker:pid:exitCode:)``, and the
/// pool starts a replacement and stays usable (Python's `Pool` hangs in that case).
///
/// Code in a task must be synchronous (no Dispatch or Swift concurrency in the worker).
public final class Pool: @unchecked Sendable {
    /// The number of worker processes.
    public let processes: Int
    let engine: WorkerEngine

    // MARK: Creating and stopping

    /// Creates a pool of `processes` workers.
    ///
    /// - Parameters:
    ///   - processes: The number of workers; nil means ``cpuCount()``.
    ///   - initializer: Runs once in each worker before its first task; a thrown error fails
    ///     the queued work with ``PoolError/initializerFailed(worker:message:)``.
    ///   - maxTasksPerChild: A worker exits after this many tasks and a fresh one replaces it;
    ///     nil keeps workers for the pool's life.
    ///   - context: How workers start (``getContext(_:)``); nil: the program's start method.
    /// - Throws: ``PoolError/invalidProcessCount(_:)``, ``PoolError/invalidMaxTasksPerChild(_:)``,
    ///   ``PoolError/closureNeedsFork`` for an initializer under spawn, or a ``SystemError``
    ///   when shared memory, the handler thread or the first worker cannot be created.
    public init(processes: Int? = nil, initializer: (() throws -> Void)? = nil, maxTasksPerChild: Int? = nil,
                context: Context? = nil) throws {
        let count = processes ?? cpuCount()
        guard count >= 1 else { throw PoolError.invalidProcessCount(count) }
        if let maxTasksPerChild, maxTasksPerChild < 1 { throw PoolError.invalidMaxTasksPerChild(maxTasksPerChild) }
        self.processes = count
        engine = try WorkerEngine(
            flavor: .pool, processes: count, initializer: initializer, maxTasksPerChild: maxTasksPerChild,
            startMethod: (context ?? getContext()).startMethod)
    }

    deinit {
        engine.terminate(failingWith: PoolError.terminated)
    }

    /// Stops accepting work. Queued work still runs; the workers exit when it is done.
    public func close() {
        engine.close()
    }

    /// Stops the workers at once (SIGTERM, then SIGKILL after a second) and reaps them.
    /// Pending results fail with ``PoolError/terminated``. Safe to call more than once.
    public func terminate() {
        engine.terminate(failingWith: PoolError.terminated)
    }

    /// Waits until every worker has exited. Call ``close()`` or ``terminate()`` first.
    ///
    /// - Throws: ``PoolError/stillRunning`` while the pool still accepts work.
    public func join() throws {
        if engine.refusal == nil { throw PoolError.stillRunning }
        engine.waitForHandler(deadline: .forever)
    }

    // MARK: Submitting

    private func refusal(_ state: WorkerEngine.State) -> PoolError {
        state == .closed ? .closed : .terminated
    }

    /// Python's default chunk size for `map`: about four chunks per worker.
    private func defaultChunkSize(_ count: Int) -> Int {
        let (quotient, remainder) = count.quotientAndRemainder(dividingBy: processes * 4)
        return max(1, quotient + (remainder > 0 ? 1 : 0))
    }

    private func checked(_ chunkSize: Int?) throws -> Int? {
        if let chunkSize, chunkSize < 1 { throw PoolError.invalidChunkSize(chunkSize) }
        return chunkSize
    }

    /// Queues a job of `chunks` chunks (of closure `body`, or one per named-task payload)
    /// whose results go to `sink`.
    func submit(chunks: Int, body: JobBody?, payloads: [[UInt8]] = [], sink: JobSink) throws {
        if body != nil, engine.startMethod != .fork { throw PoolError.closureNeedsFork }
        guard chunks > 0 else {
            if let refused = engine.refusal { throw refusal(refused) }
            return
        }
        if case .failure(let refused) = engine.submit(chunks: chunks, body: body, payloads: payloads, sink: sink) {
            throw refusal(refused.state)
        }
    }

    /// The chunk size to use for `count` items: `chunkSize`, checked, or Python's default.
    @usableFromInline
    func resolvedChunkSize(_ chunkSize: Int?, count: Int) throws -> Int {
        try checked(chunkSize) ?? defaultChunkSize(count)
    }

    /// The work of one chunk: apply `f` to its items and encode the results. Inlined into the
    /// caller so the loop is specialized for its types.
    @inlinable
    static func chunkBody<T, R: Encodable>(_ items: [T], chunkSize: Int, _ f: @escaping (T) throws -> R) -> JobBody {
        let count = items.count
        return { chunk, out in
            let start = chunk * chunkSize
            let end = Swift.min(start + chunkSize, count)
            if R.self is TriviallyWired.Type {
                // Plain scalars: store each result straight into the message.
                let stride = MemoryLayout<R>.stride
                let offset = out.count
                out.append(contentsOf: repeatElement(0, count: (end - start) * stride))
                try out.withUnsafeMutableBytes { bytes in
                    let base = bytes.baseAddress! + offset
                    for index in start..<end {
                        base.storeBytes(of: try f(items[index]), toByteOffset: (index - start) * stride, as: R.self)
                    }
                }
                return
            }
            var results: [R] = []
            results.reserveCapacity(end - start)
            for index in start..<end { results.append(try f(items[index])) }
            try PoolWire.encode(results, to: &out)
        }
    }

    /// Starts a map job over `count` items.
    @usableFromInline
    func startMap<R: Decodable>(
        count: Int, chunkSize: Int, callback: (([R]) -> Void)?, errorCallback: ((any Error) -> Void)?,
        body: @escaping JobBody
    ) throws -> AsyncResult<[R]> {
        let result = AsyncResult<[R]>()
        Self.attach(result, callback, errorCallback)
        let sink = MapSink<R>(count: count, chunkSize: chunkSize, completion: result.completion)
        try submit(chunks: sink.chunkCount, body: body, sink: sink)
        if count == 0 { result.completion.succeed([]) }
        return result
    }

    /// Starts an imap job over `count` items.
    @usableFromInline
    func startStream<R: Decodable>(count: Int, chunkSize: Int, ordered: Bool, body: @escaping JobBody) throws -> IMapIterator<R> {
        let sink = StreamSink<R>(count: count, chunkSize: chunkSize, ordered: ordered)
        try submit(chunks: sink.chunkCount, body: body, sink: sink)
        return IMapIterator(sink: sink)
    }

    static func attach<V>(_ result: AsyncResult<V>, _ callback: ((V) -> Void)?, _ errorCallback: ((any Error) -> Void)?) {
        guard callback != nil || errorCallback != nil else { return }
        result.completion.onFinish(beforeWaking: true) { state in
            switch state {
            case .succeeded(let value): callback?(value)
            case .failed(let error): errorCallback?(error)
            case .cancelled: errorCallback?(PoolError.terminated)
            case .pending: break
            }
        }
    }

    // MARK: map

    /// Applies `f` to every item in the workers and returns the results in the items' order,
    /// as Python's `pool.map(f, items)`.
    ///
    /// ```swift
    /// let squares = try pool.map(0..<10) { x in x * x }
    /// ```
    /// - Parameters:
    ///   - items: The inputs; read once, at the call.
    ///   - chunkSize: Items per task; nil picks about four chunks per worker, as Python.
    ///   - f: The work for one item. Its result crosses back to this process as `Codable`.
    /// - Throws: The first failure among the tasks (a ``WorkerError`` with the worker's
    ///   message, or ``PoolError/workerDied(worker:pid:exitCode:)``); ``PoolError/closed``,
    ///   ``PoolError/terminated`` or ``PoolError/invalidChunkSize(_:)`` for misuse.
    @inlinable
    public func map<S: Sequence, R: Codable>(
        _ items: S, chunkSize: Int? = nil, _ f: @escaping (S.Element) throws -> R
    ) throws -> [R] {
        try mapAsync(items, chunkSize: chunkSize, f).get()
    }

    /// `map` with Python's argument order: `pool.map(square, 0..<10)`.
    @inlinable
    public func map<S: Sequence, R: Codable>(
        _ f: @escaping (S.Element) throws -> R, _ items: S, chunkSize: Int? = nil
    ) throws -> [R] {
        try map(items, chunkSize: chunkSize, f)
    }

    /// Starts a `map` and returns at once, as Python's `map_async`.
    ///
    /// - Parameters:
    ///   - items: The inputs; read once, at the call.
    ///   - chunkSize: Items per task; nil picks about four chunks per worker, as Python.
    ///   - f: The work for one item.
    ///   - callback: Called with the results when all are ready (in this process, on the
    ///     pool's handler thread: keep it short, and do not wait for other pool results in it,
    ///     since that thread delivers them).
    ///   - errorCallback: Called with the error instead when a task failed.
    @inlinable
    public func mapAsync<S: Sequence, R: Codable>(
        _ items: S, chunkSize: Int? = nil,
        callback: (([R]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil,
        _ f: @escaping (S.Element) throws -> R
    ) throws -> AsyncResult<[R]> {
        let array = Array(items)
        let size = try resolvedChunkSize(chunkSize, count: array.count)
        return try startMap(
            count: array.count, chunkSize: size, callback: callback, errorCallback: errorCallback,
            body: Self.chunkBody(array, chunkSize: size, f))
    }

    /// `mapAsync` with Python's argument order: `pool.mapAsync(square, 0..<5)`.
    @inlinable
    public func mapAsync<S: Sequence, R: Codable>(
        _ f: @escaping (S.Element) throws -> R, _ items: S, chunkSize: Int? = nil,
        callback: (([R]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<[R]> {
        try mapAsync(items, chunkSize: chunkSize, callback: callback, errorCallback: errorCallback, f)
    }

    // MARK: apply

    /// Runs `f` once in a worker and returns its result, as Python's `pool.apply`.
    ///
    /// ```swift
    /// let sum = try pool.apply { add(1, 2) }  // 3
    /// ```
    /// - Throws: The task's error as a ``WorkerError``, or the pool errors of ``AsyncResult/get(timeout:)``.
    public func apply<R: Codable>(_ f: @escaping () throws -> R) throws -> R {
        try applyAsync(f).get()
    }

    /// `apply` with Python's shape: `pool.apply(add, (1, 2))`.
    public func apply<A, B, R: Codable>(_ f: @escaping (A, B) throws -> R, _ arguments: (A, B)) throws -> R {
        try applyAsync { try f(arguments.0, arguments.1) }.get()
    }

    /// Starts `f` in a worker and returns at once, as Python's `apply_async`.
    ///
    /// - Parameters:
    ///   - f: The work, run in a worker.
    ///   - callback: Called with the result (in this process, on the pool's handler thread).
    ///   - errorCallback: Called with the error instead when the task failed.
    public func applyAsync<R: Codable>(
        callback: ((R) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil,
        _ f: @escaping () throws -> R
    ) throws -> AsyncResult<R> {
        let result = AsyncResult<R>()
        Self.attach(result, callback, errorCallback)
        let body: JobBody = { _, out in
            let value = try f()
            try PoolWire.encode([value], to: &out)
        }
        try submit(chunks: 1, body: body, sink: SingleSink<R>(completion: result.completion))
        return result
    }

    /// `applyAsync` with Python's shape: `pool.applyAsync(add, (3, 4))`.
    public func applyAsync<A, B, R: Codable>(
        _ f: @escaping (A, B) throws -> R, _ arguments: (A, B),
        callback: ((R) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<R> {
        try applyAsync(callback: callback, errorCallback: errorCallback) { try f(arguments.0, arguments.1) }
    }

    // MARK: starmap

    /// Applies a two-argument `f` to each pair, in order, as Python's `pool.starmap(f, pairs)`.
    ///
    /// ```swift
    /// func add(_ a: Int, _ b: Int) -> Int { a + b }
    /// print(try pool.starmap(add, [(1, 2), (3, 4), (5, 6)]))  // [3, 7, 11]
    /// ```
    @inlinable
    public func starmap<A, B, R: Codable>(
        _ f: @escaping (A, B) throws -> R, _ items: some Sequence<(A, B)>, chunkSize: Int? = nil
    ) throws -> [R] {
        try map(items, chunkSize: chunkSize) { try f($0.0, $0.1) }
    }

    /// Applies a three-argument `f` to each triple, in order.
    @inlinable
    public func starmap<A, B, C, R: Codable>(
        _ f: @escaping (A, B, C) throws -> R, _ items: some Sequence<(A, B, C)>, chunkSize: Int? = nil
    ) throws -> [R] {
        try map(items, chunkSize: chunkSize) { try f($0.0, $0.1, $0.2) }
    }

    /// Starts a two-argument `starmap` and returns at once, as Python's `starmap_async`.
    @inlinable
    public func starmapAsync<A, B, R: Codable>(
        _ f: @escaping (A, B) throws -> R, _ items: some Sequence<(A, B)>, chunkSize: Int? = nil,
        callback: (([R]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<[R]> {
        try mapAsync(items, chunkSize: chunkSize, callback: callback, errorCallback: errorCallback) { try f($0.0, $0.1) }
    }

    /// Starts a three-argument starmap and returns at once.
    @inlinable
    public func starmapAsync<A, B, C, R: Codable>(
        _ f: @escaping (A, B, C) throws -> R, _ items: some Sequence<(A, B, C)>, chunkSize: Int? = nil,
        callback: (([R]) -> Void)? = nil, errorCallback: ((any Error) -> Void)? = nil
    ) throws -> AsyncResult<[R]> {
        try mapAsync(items, chunkSize: chunkSize, callback: callback, errorCallback: errorCallback) { try f($0.0, $0.1, $0.2) }
    }

    // MARK: imap

    /// Applies `f` to every item and returns an iterator that yields the results in order as
    /// they become ready, as Python's `pool.imap`: the first results can be used while later
    /// ones are still computed.
    ///
    /// ```swift
    /// for result in try pool.imap(0..<5, { $0 * 2 }) { print(try result.get()) }  // 0 2 4 6 8
    /// ```
    /// - Parameters:
    ///   - items: The inputs; read once, at the call.
    ///   - chunkSize: Items per task (default 1, as Python).
    ///   - f: The work for one item.
    @inlinable
    public func imap<S: Sequence, R: Codable>(
        _ items: S, chunkSize: Int = 1, _ f: @escaping (S.Element) throws -> R
    ) throws -> IMapIterator<R> {
        try stream(items, chunkSize: chunkSize, ordered: true, f)
    }

    /// `imap` with Python's argument order: `pool.imap(processItem, items)`.
    @inlinable
    public func imap<S: Sequence, R: Codable>(
        _ f: @escaping (S.Element) throws -> R, _ items: S, chunkSize: Int = 1
    ) throws -> IMapIterator<R> {
        try stream(items, chunkSize: chunkSize, ordered: true, f)
    }

    /// Like `imap`, but yields results as they complete, in any order, as
    /// Python's `pool.imap_unordered`.
    @inlinable
    public func imapUnordered<S: Sequence, R: Codable>(
        _ items: S, chunkSize: Int = 1, _ f: @escaping (S.Element) throws -> R
    ) throws -> IMapIterator<R> {
        try stream(items, chunkSize: chunkSize, ordered: false, f)
    }

    /// `imapUnordered` with Python's argument order: `pool.imapUnordered(task, items)`.
    @inlinable
    public func imapUnordered<S: Sequence, R: Codable>(
        _ f: @escaping (S.Element) throws -> R, _ items: S, chunkSize: Int = 1
    ) throws -> IMapIterator<R> {
        try stream(items, chunkSize: chunkSize, ordered: false, f)
    }

    @inlinable
    func stream<S: Sequence, R: Codable>(
        _ items: S, chunkSize: Int, ordered: Bool, _ f: @escaping (S.Element) throws -> R
    ) throws -> IMapIterator<R> {
        guard chunkSize >= 1 else { throw PoolError.invalidChunkSize(chunkSize) }
        let array = Array(items)
        return try startStream(
            count: array.count, chunkSize: chunkSize, ordered: ordered,
            body: Self.chunkBody(array, chunkSize: chunkSize, f))
    }
}

/// Creates a pool, passes it to `body`, and terminates it when `body` returns or throws:
/// Python's `with Pool(4) as pool:`.
///
/// ```swift
/// try withPool(processes: 4) { pool in
///     let results = try pool.map(0..<10) { x in x * x }
///     print(results)
/// }
/// ```
/// As in Python, leaving the scope terminates the workers: get every result you need inside.
public func withPool<T>(
    processes: Int? = nil, initializer: (() throws -> Void)? = nil, maxTasksPerChild: Int? = nil,
    context: Context? = nil, _ body: (Pool) throws -> T
) throws -> T {
    let pool = try Pool(processes: processes, initializer: initializer, maxTasksPerChild: maxTasksPerChild, context: context)
    defer { pool.terminate() }
    return try body(pool)
}
