/// When ``wait(_:timeout:returnWhen:)`` returns, as Python's `FIRST_COMPLETED`,
/// `FIRST_EXCEPTION` and `ALL_COMPLETED`.
public enum ReturnWhen: Sendable {
    /// As soon as any future finishes or is cancelled.
    case firstCompleted
    /// As soon as any future fails; when none fails, once all are done.
    case firstException
    /// Once every future is done.
    case allCompleted
}

/// Waits for futures, as Python's `concurrent.futures.wait`; returns the done and not-done
/// ones. A timeout is not an error: the futures still running are in `notDone`.
///
/// ```swift
/// let (done, notDone) = wait(futures, timeout: 1, returnWhen: .firstCompleted)
/// ```
public func wait<Value>(
    _ futures: [Future<Value>], timeout: Double? = nil, returnWhen: ReturnWhen = .allCompleted
) -> (done: [Future<Value>], notDone: [Future<Value>]) {
    let deadline = Deadline(timeout: timeout)
    let watcher = CompletionWatcher()
    for (index, future) in futures.enumerated() { _ = future.completion.watch(watcher, token: index) }
    func satisfied() -> Bool {
        let done = futures.filter { $0.done() }
        switch returnWhen {
        case .firstCompleted: return !done.isEmpty
        case .allCompleted: return done.count == futures.count
        case .firstException:
            if done.count == futures.count { return true }
            return done.contains { future in
                if case .failed = future.completion.wait(until: .expired) { return true }
                return false
            }
        }
    }
    watcher.monitor.lock()
    while true {
        watcher.monitor.unlock()
        if satisfied() { break }
        watcher.monitor.lock()
        let seen = watcher.finished.count
        var timedOut = false
        while watcher.finished.count == seen {
            if !watcher.monitor.wait(until: deadline) { timedOut = true; break }
        }
        if timedOut { watcher.monitor.unlock(); break }
    }
    let done = futures.filter { $0.done() }
    let notDone = futures.filter { !$0.done() }
    return (done, notDone)
}

/// The futures in the order they finish, as Python's `concurrent.futures.as_completed`.
///
/// ```swift
/// for future in asCompleted(futures) {
///     print("Completed: \(try future.result())")
/// }
/// ```
/// Futures already done come first. With a `timeout`, a `for` loop stops the program if the
/// time runs out (Python raises `TimeoutError`); call ``AsCompleted/nextCompleted()`` to catch
/// ``ExecutorError/timeout(seconds:)`` instead.
public func asCompleted<Value>(_ futures: [Future<Value>], timeout: Double? = nil) -> AsCompleted<Value> {
    AsCompleted(futures, timeout: timeout)
}

/// The sequence returned by ``asCompleted(_:timeout:)``.
public final class AsCompleted<Value>: Sequence, IteratorProtocol, @unchecked Sendable {
    private let futures: [Future<Value>]
    private let timeout: Double?
    private let deadline: Deadline
    private let watcher = CompletionWatcher()
    private var order: [Int] = []
    private var yielded = 0

    init(_ futures: [Future<Value>], timeout: Double?) {
        // Python takes a set: each future once.
        var seen = Set<ObjectIdentifier>()
        var unique: [Future<Value>] = []
        for future in futures where seen.insert(ObjectIdentifier(future)).inserted { unique.append(future) }
        self.futures = unique
        self.timeout = timeout
        deadline = Deadline(timeout: timeout)
        for (index, future) in unique.enumerated() where !future.completion.watch(watcher, token: index) {
            order.append(index)
        }
    }

    /// The next future to finish, or nil when all have been returned.
    ///
    /// - Throws: ``ExecutorError/timeout(seconds:)`` when the timeout passes first.
    public func nextCompleted() throws -> Future<Value>? {
        guard yielded < futures.count else { return nil }
        if yielded < order.count {
            defer { yielded += 1 }
            return futures[order[yielded]]
        }
        watcher.monitor.lock()
        defer { watcher.monitor.unlock() }
        let position = yielded - order.count
        while watcher.finished.count <= position {
            if !watcher.monitor.wait(until: deadline) {
                throw ExecutorError.timeout(seconds: timeout ?? 0)
            }
        }
        yielded += 1
        return futures[watcher.finished[position]]
    }

    /// The next future to finish; a timeout stops the program (see ``nextCompleted()``).
    public func next() -> Future<Value>? {
        do {
            return try nextCompleted()
        } catch {
            fatalError("asCompleted: \(error)")
        }
    }
}
