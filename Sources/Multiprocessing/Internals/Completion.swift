import CMultiprocessing

// The parent-side state behind an AsyncResult or a Future: pending until the result-handler
// thread stores a value or an error, then fixed. Waiters block on one monitor; groups of
// completions (asCompleted, wait) are watched through a `CompletionWatcher`.

/// The monitors completions share, handed out in turn.
enum SharedMonitors {
    private static let monitors: [Monitor] = (0..<64).map { _ in Monitor() }
    nonisolated(unsafe) private static let counter: UnsafeMutablePointer<UInt32> = {
        let word = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        word.initialize(to: 0)
        return word
    }()

    static func next() -> Monitor {
        monitors[Int(counter.atomicFetchAdd(1) & 63)]
    }
}

/// Something that several completions notify when they finish.
final class CompletionWatcher: @unchecked Sendable {
    let monitor = Monitor()
    /// The tokens of the completions that finished, in the order they finished.
    private(set) var finished: [Int] = []

    func notify(_ token: Int) {
        monitor.withLock { finished.append(token) }
        monitor.broadcast()
    }
}

/// A value or error delivered later; also records cancellation and "running".
final class Completion<Value>: @unchecked Sendable {
    enum State {
        case pending
        case succeeded(Value)
        case failed(any Error)
        case cancelled
    }

    /// Completions share a few monitors (picked by address) instead of making one each: a
    /// storm of 20,000 results would otherwise create 20,000 mutexes and condition variables.
    /// A broadcast may wake waiters of other completions; they re-check and wait again.
    let monitor = SharedMonitors.next()
    private(set) var state: State = .pending
    /// Set while `finish` runs the early callbacks: the outcome is decided but not yet shown.
    private var finishing = false
    private var earlyCallbacks: [(State) -> Void] = []
    private var callbacks: [(State) -> Void] = []
    private var watchers: [(CompletionWatcher, Int)] = []

    var isDone: Bool { monitor.withLock { if case .pending = state { return false } else { return true } } }

    /// Stores the outcome once (later calls are ignored) and runs the callbacks on the calling
    /// thread: the early ones (``onFinish(beforeWaking:_:)``) before anything can see the
    /// outcome, then wakes the waiters and watchers, then runs the others.
    @discardableResult
    func finish(_ outcome: State) -> Bool {
        monitor.lock()
        guard case .pending = state, !finishing else { monitor.unlock(); return false }
        finishing = true
        var early = earlyCallbacks
        earlyCallbacks = []
        monitor.unlock()
        for callback in early { callback(outcome) }
        monitor.lock()
        state = outcome
        finishing = false
        early = earlyCallbacks  // registered while the first ones ran
        let toRun = callbacks
        let toNotify = watchers
        earlyCallbacks = []
        callbacks = []
        watchers = []
        monitor.unlock()
        monitor.broadcast()
        for (watcher, token) in toNotify { watcher.notify(token) }
        for callback in early + toRun { callback(outcome) }
        return true
    }

    func succeed(_ value: Value) { finish(.succeeded(value)) }
    func fail(_ error: any Error) { finish(.failed(error)) }

    /// Runs `callback` when done (at once, on this thread, if already done).
    ///
    /// With `beforeWaking`, the callback has run before any waiter returns and before
    /// `isDone` turns true, as Python's `AsyncResult` callbacks; without it, it runs after
    /// the waiters were woken, as `Future.add_done_callback`.
    func onFinish(beforeWaking: Bool = false, _ callback: @escaping (State) -> Void) {
        monitor.lock()
        if case .pending = state {
            if beforeWaking { earlyCallbacks.append(callback) } else { callbacks.append(callback) }
            monitor.unlock()
            return
        }
        let outcome = state
        monitor.unlock()
        callback(outcome)
    }

    /// Registers a watcher; returns false (and registers nothing) when already done.
    func watch(_ watcher: CompletionWatcher, token: Int) -> Bool {
        monitor.withLock {
            guard case .pending = state else { return false }
            watchers.append((watcher, token))
            return true
        }
    }

    /// Waits until done or until `deadline`; returns the state (still `.pending` on timeout).
    func wait(until deadline: Deadline) -> State {
        monitor.withLock {
            while case .pending = state {
                if !monitor.wait(until: deadline) { break }
            }
            return state
        }
    }
}
