import Glibc

// Parent-side receivers of job results (see `JobSink`): they decode a chunk's payload and
// complete the AsyncResult, Future or iterator waiting for it. All run on the handler thread.

/// Collects the chunks of a map job into one ordered array.
final class MapSink<R: Decodable>: JobSink {
    let completion: Completion<[R]>
    private let count: Int
    private let chunkSize: Int
    private var chunks: [[R]?]
    /// Plain scalars are copied straight into their place in the final array.
    private var direct: [R]?
    let chunkCount: Int
    private var remaining: Int
    private var failed = false

    init(count: Int, chunkSize: Int, completion: Completion<[R]>) {
        self.count = count
        self.chunkSize = chunkSize
        self.completion = completion
        chunkCount = count == 0 ? 0 : (count + chunkSize - 1) / chunkSize
        if R.self is TriviallyWired.Type {
            chunks = []
            // Every element is written by a chunk before the array is handed out.
            direct = [R](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        } else {
            chunks = [[R]?](repeating: nil, count: chunkCount)
        }
        remaining = chunkCount
    }

    func deliver(chunk: Int, payload: UnsafeRawBufferPointer) {
        remaining -= 1
        guard !failed else { return }
        let expected = min(chunkSize, count - chunk * chunkSize)
        do {
            if direct != nil {
                let stride = MemoryLayout<R>.stride
                guard payload.count == expected * stride else { throw PoolWire.truncated }
                direct!.withUnsafeMutableBytes { bytes in
                    _ = memcpy(bytes.baseAddress! + chunk * chunkSize * stride, payload.baseAddress!, payload.count)
                }
            } else {
                chunks[chunk] = try PoolWire.decode(R.self, count: expected, from: payload)
            }
        } catch {
            fail(chunk: -1, error: error)
            return
        }
        if remaining == 0 { finish() }
    }

    func fail(chunk: Int, error: any Error) {
        if chunk >= 0 { remaining -= 1 }
        guard !failed else { return }
        failed = true
        chunks = []
        direct = nil
        completion.fail(error)
    }

    func cancel() { fail(chunk: -1, error: ExecutorError.cancelled) }

    private func finish() {
        if let values = direct {
            direct = nil
            completion.succeed(values)
            return
        }
        if chunks.count == 1 {
            completion.succeed(chunks[0]!)
            return
        }
        var all: [R] = []
        all.reserveCapacity(count)
        for chunk in chunks { all.append(contentsOf: chunk!) }
        chunks = []
        completion.succeed(all)
    }
}

/// Receives the single result of an apply or submit.
final class SingleSink<R: Decodable>: JobSink {
    let completion: Completion<R>

    init(completion: Completion<R>) { self.completion = completion }

    func deliver(chunk: Int, payload: UnsafeRawBufferPointer) {
        if R.self is TriviallyWired.Type, payload.count == MemoryLayout<R>.size {
            completion.succeed(payload.loadUnaligned(as: R.self))
            return
        }
        do {
            completion.succeed(try PoolWire.decode(R.self, count: 1, from: payload)[0])
        } catch {
            completion.fail(error)
        }
    }

    func fail(chunk: Int, error: any Error) { completion.fail(error) }

    func cancel() { completion.finish(.cancelled) }
}

/// Holds the chunks of an imap job until the iterator takes them, in order or as completed.
final class StreamSink<R: Decodable>: JobSink, @unchecked Sendable {
    let monitor = Monitor()
    private let count: Int
    private let chunkSize: Int
    private let ordered: Bool
    /// Ordered: results by chunk. Unordered: chunks in arrival order.
    private var byChunk: [Result<[R], any Error>?]
    private var arrived: [Result<[R], any Error>] = []
    let chunkCount: Int

    init(count: Int, chunkSize: Int, ordered: Bool) {
        self.count = count
        self.chunkSize = chunkSize
        self.ordered = ordered
        chunkCount = count == 0 ? 0 : (count + chunkSize - 1) / chunkSize
        byChunk = ordered ? [Result<[R], any Error>?](repeating: nil, count: chunkCount) : []
    }

    func deliver(chunk: Int, payload: UnsafeRawBufferPointer) {
        let expected = min(chunkSize, count - chunk * chunkSize)
        let result: Result<[R], any Error>
        do {
            result = .success(try PoolWire.decode(R.self, count: expected, from: payload))
        } catch {
            result = .failure(error)
        }
        store(chunk: chunk, result)
    }

    func fail(chunk: Int, error: any Error) {
        store(chunk: chunk, .failure(error))
    }

    func cancel() {
        for index in 0..<chunkCount { store(chunk: index, .failure(ExecutorError.cancelled)) }
    }

    private func store(chunk: Int, _ result: Result<[R], any Error>) {
        monitor.lock()
        if ordered {
            if byChunk[chunk] == nil { byChunk[chunk] = result }
        } else {
            arrived.append(result)
        }
        monitor.unlock()
        monitor.broadcast()
    }

    /// The result of chunk `index` (ordered) or the `index`-th chunk to arrive (unordered);
    /// nil when the deadline passed first.
    func chunk(_ index: Int, deadline: Deadline) -> Result<[R], any Error>? {
        monitor.withLock {
            while true {
                if ordered, let result = byChunk[index] {
                    byChunk[index] = .success([])  // release the values once handed out
                    return result
                }
                if !ordered, index < arrived.count {
                    let result = arrived[index]
                    arrived[index] = .success([])
                    return result
                }
                if !monitor.wait(until: deadline) { return nil }
            }
        }
    }
}
