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
///
/// The call resolves to this function with Glibc or Foundation imported too (their
/// `wait(_:)` takes a status pointer, so the arguments tell them apart). Inside a type that
/// declares a `wait` method of its own (an `XCTestCase`, say), Swift looks up only the
/// member: write `Multiprocessing.wait(...)` there.
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
/// Futures already done come first; each future is yielded once. A failed future is yielded
/// like any other (its `result()` throws). Give a `timeout` for the variant that can run out
/// of time (``asCompleted(_:timeout:)``).
public func asCompleted<Value>(_ futures: [Future<Value>]) -> AsCompleted<Value> {
    AsCompleted(CompletionOrder(futures, deadline: .forever))
}

/// The futures in the order they finish, giving up `timeout` seconds after the call, as
/// Python's `as_completed(fs, timeout)`.
///
/// Each element is a `Result`: `.success` with the next future, or, once the time has run
/// out, one `.failure(.timeout(seconds:))` that ends the sequence (Python raises
/// `TimeoutError` from the loop). `try element.get()` raises it the Python way:
///
/// ```swift
/// for element in asCompleted(futures, timeout: 5) {
///     let future = try element.get()
///     print(try future.result())
/// }
/// ```
public func asCompleted<Value>(_ futures: [Future<Value>], timeout: Double) -> AsCompletedWithin<Value> {
    AsCompletedWithin(CompletionOrder(futures, deadline: Deadline(timeout: timeout)), timeout: timeout)
}

/// The sequence returned by ``asCompleted(_:)``: every future, in the order they finish.
public struct AsCompleted<Value>: Sequence, IteratorProtocol {
    let order: CompletionOrder<Value>

    init(_ order: CompletionOrder<Value>) { self.order = order }

    /// The next future to finish, waiting as long as it takes; nil when all were returned.
    public mutating func next() -> Future<Value>? {
        if case .future(let future) = order.next() { return future }
        return nil
    }
}

/// The sequence returned by ``asCompleted(_:timeout:)``: the futures in the order they
/// finish, then a timeout failure if the time ran out first.
public struct AsCompletedWithin<Value>: Sequence, IteratorProtocol {
    let order: CompletionOrder<Value>
    let timeout: Double
    private var timedOut = false

    init(_ order: CompletionOrder<Value>, timeout: Double) {
        self.order = order
        self.timeout = timeout
    }

    /// The next future to finish; `.failure(.timeout(seconds:))` once when the time runs
    /// out; nil after the last future or after the timeout.
    public mutating func next() -> Result<Future<Value>, ExecutorError>? {
        guard !timedOut else { return nil }
        switch order.next() {
        case .future(let future): return .success(future)
        case .finished: return nil
        case .timedOut:
            timedOut = true
            return .failure(.timeout(seconds: timeout))
        }
    }
}

/// Hands out futures in the order they finish, until a deadline.
final class CompletionOrder<Value>: @unchecked Sendable {
    enum Step {
        case future(Future<Value>)
        case finished
        case timedOut
    }

    private let futures: [Future<Value>]
    private let deadline: Deadline
    private let watcher = CompletionWatcher()
    private var order: [Int] = []
    private var yielded = 0

    init(_ futures: [Future<Value>], deadline: Deadline) {
        // Python takes a set: each future once.
        var seen = Set<ObjectIdentifier>()
        var unique: [Future<Value>] = []
        for future in futures where seen.insert(ObjectIdentifier(future)).inserted { unique.append(future) }
        self.futures = unique
        self.deadline = deadline
        for (index, future) in unique.enumerated() where !future.completion.watch(watcher, token: index) {
            order.append(index)
        }
    }

    func next() -> Step {
        guard yielded < futures.count else { return .finished }
        if yielded < order.count {
            defer { yielded += 1 }
            return .future(futures[order[yielded]])
        }
        watcher.monitor.lock()
        defer { watcher.monitor.unlock() }
        let position = yielded - order.count
        while watcher.finished.count <= position {
            if !watcher.monitor.wait(until: deadline) { return .timedOut }
        }
        yielded += 1
        return .future(futures[watcher.finished[position]])
    }
}
