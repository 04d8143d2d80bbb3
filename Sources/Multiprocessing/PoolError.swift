import Glibc

/// A problem using a ``Pool`` or one of its results. Each case says what went wrong and what
/// to do instead. It is `Codable`, so one raised in a worker reaches the caller as itself.
public enum PoolError: Error, Equatable, Codable, CustomStringConvertible {
    /// `Pool(processes:)` was given fewer than one process.
    case invalidProcessCount(Int)
    /// A chunk size below 1 was given to `map`, `imap`, `starmap` or their variants.
    case invalidChunkSize(Int)
    /// `maxTasksPerChild` below 1 was given.
    case invalidMaxTasksPerChild(Int)
    /// Work was submitted after `close()`.
    case closed
    /// Work was submitted after `terminate()`, or a result was read that `terminate()` discarded.
    case terminated
    /// `join()` was called while the pool still accepts work.
    case stillRunning
    /// `get(timeout:)` or `next(timeout:)` waited `seconds` without a result.
    case timeout(seconds: Double)
    /// `successful()` was asked before the result was ready.
    case resultNotReady
    /// A worker ended (killed by a signal, crashed, or exited) while it ran a task of this
    /// result. `exitCode` is negative for a signal, as ``Process/exitCode``.
    case workerDied(worker: String, pid: Int32, exitCode: Int32)
    /// The pool's initializer threw in a worker; the queued work was failed with this error.
    case initializerFailed(worker: String, message: String)
    /// A named task's type cannot be found by name (it is declared inside a function or a
    /// generic context), so no worker could find it: found at the call, nothing was queued.
    case unnamedTask(typeName: String)
    /// A worker found no task type of this name (it runs a different program).
    case unknownTask(typeName: String)
    /// One chunk of a named task, encoded, is larger than the pool's task arena.
    case taskTooLarge(bytes: Int, limit: Int)
    /// A closure (a task or an initializer) was given to a pool whose workers are not forks of
    /// this process (``StartMethod/spawn``, ``StartMethod/forkserver``): a closure cannot cross
    /// to another program.
    case closureNeedsFork

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .invalidProcessCount(let count):
            "processes must be at least 1, got \(count): pass a positive number, or nil to use cpuCount()"
        case .invalidChunkSize(let size):
            "chunk size must be at least 1, got \(size): pass a positive chunkSize, or nil for the default"
        case .invalidMaxTasksPerChild(let count):
            "maxTasksPerChild must be at least 1, got \(count): pass a positive number, or nil to keep workers for the pool's lifetime"
        case .closed:
            "the pool is closed: close() stops it from accepting work; submit before close(), or create a new Pool"
        case .terminated:
            "the pool was terminated: terminate() stops its workers and discards pending results; create a new Pool"
        case .stillRunning:
            "the pool is still running: call close() or terminate() before join()"
        case .timeout(let seconds):
            "no result within \(seconds) s: wait longer, or check the task is not stuck"
        case .resultNotReady:
            "the result is not ready yet: call wait() or ready() before successful()"
        case .workerDied(let worker, let pid, let code):
            "worker \(worker) (pid \(pid)) \(describeExit(code)) while running this task, so its result is lost; the pool started a replacement worker: submit the task again if it should be retried"
        case .initializerFailed(let worker, let message):
            "the pool's initializer failed in worker \(worker): \(message); fix the initializer, the queued work was not run"
        case .unnamedTask(let name):
            "the task type \(name) cannot be found by name, so a worker could not find it either: declare it at file scope or inside a non-generic type, not inside a function"
        case .unknownTask(let name):
            "the worker found no task type \(name): workers run the same program as the pool; check the worker was started from this program"
        case .closureNeedsFork:
            "a closure cannot reach a spawned worker (only named tasks and Codable values cross): pass a PoolTask or PairTask, drop the initializer, or use getContext(.fork)"
        case .taskTooLarge(let bytes, let limit):
            "one chunk of this task is \(bytes) bytes, more than the pool's \(limit)-byte task area: pass a smaller chunkSize, or fewer or smaller arguments per call"
        }
    }
}

/// "was killed by signal 9 (SIGKILL)" or "exited with code 3".
func describeExit(_ code: Int32) -> String {
    if code < 0 {
        let names: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT",
            SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
            SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGPIPE: "SIGPIPE", SIGQUIT: "SIGQUIT",
        ]
        let name = names[-code].map { " (\($0))" } ?? ""
        return "was killed by signal \(-code)\(name)"
    }
    return "exited with code \(code)"
}
