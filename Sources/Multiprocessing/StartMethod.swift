/// How a pool starts its workers: Python's start methods, chosen per pool with a ``Context``
/// (`getContext(.spawn)`) or for the whole program with ``setStartMethod(_:force:)``.
public enum StartMethod: String, Sendable, CaseIterable {
    /// The worker is a copy of the parent (`fork()`): closures and everything they capture
    /// exist in it. The default, as Python's on Linux up to 3.13.
    case fork
    /// The worker is this program started again (`/proc/self/exe`), which enters the worker
    /// before the program's own top-level code runs, as Python's `spawn` imports the main
    /// module under the name `__mp_main__` so the `if __name__ == '__main__':` block does not
    /// run. Nothing of the parent is inherited: only named tasks (``PoolTask``, ``PairTask``)
    /// and `Codable` values cross; a closure (a task or an initializer) is refused with
    /// ``PoolError/closureNeedsFork``.
    case spawn
    /// The workers are forked by a server process started by spawn when the pool is made. The
    /// server has one thread, so a fork copies no lock held elsewhere (fork's hazard in a
    /// threaded program), and each worker starts as cheaply as a fork. The same rules as
    /// ``spawn`` apply: only named tasks and `Codable` values cross. Python's default on Linux
    /// from 3.14.
    case forkserver
}

/// ``setStartMethod(_:force:)`` was called again without `force`: Python's
/// `RuntimeError('context has already been set')`.
public struct StartMethodAlreadySet: Error, Equatable, CustomStringConvertible {
    /// The start method already chosen.
    public let current: StartMethod

    public var description: String {
        "the start method is already set (to \(current.rawValue)): set it once, at the start of the program, or pass force: true"
    }
}

/// A start method to make pools with: Python's `multiprocessing.get_context('spawn')`.
///
/// ```swift
/// let context = getContext(.spawn)
/// try withPool(processes: 4, context: context) { pool in
///     print(try pool.map(Square(), 0..<10))
/// }
/// ```
public struct Context: Sendable, Equatable {
    /// How this context's pools start their workers.
    public let startMethod: StartMethod
}

/// The program-wide start method, chosen at most once.
enum StartMethods {
    private static let monitor = Monitor()
    nonisolated(unsafe) private static var chosen: StartMethod?

    static var current: StartMethod { monitor.withLock { chosen ?? .fork } }

    static func set(_ method: StartMethod, force: Bool) throws {
        try monitor.withLock {
            if let chosen, !force { throw StartMethodAlreadySet(current: chosen) }
            chosen = method
        }
    }
}

/// A context for `method`, or for the program's start method when nil: Python's `get_context`.
public func getContext(_ method: StartMethod? = nil) -> Context {
    Context(startMethod: method ?? StartMethods.current)
}

/// The program's start method: ``StartMethod/fork`` unless ``setStartMethod(_:force:)`` chose
/// another. Python's `get_start_method()`.
public func getStartMethod() -> StartMethod {
    StartMethods.current
}

/// Chooses the start method of pools made without a context: Python's `set_start_method`.
///
/// - Throws: ``StartMethodAlreadySet`` when it was already chosen and `force` is false.
public func setStartMethod(_ method: StartMethod, force: Bool = false) throws {
    try StartMethods.set(method, force: force)
}
