/// Misuse of a ``Process``: each case names the process and says what to do instead.
public enum ProcessError: Error, Equatable, CustomStringConvertible {
    /// `start()` was called on a process that was already started.
    case alreadyStarted(name: String)
    /// `join()` (or another call that needs a child) was used before `start()`.
    case notStarted(name: String)
    /// The process object was closed with `close()` and can no longer be used.
    case closed(name: String)
    /// `close()` was called while the child is still running.
    case stillRunning(name: String)
    /// A process tried to start, join or signal itself.
    case notAChild(name: String)
    /// A daemon process tried to start a child (Python's "daemonic processes are not allowed
    /// to have children"). `name` is the daemon's.
    case daemonicParent(name: String)

    public var description: String {
        switch self {
        case .alreadyStarted(let name):
            "process \(name) was already started: a Process can only be started once; create a new Process to run the work again"
        case .notStarted(let name):
            "process \(name) was never started: call start() before join(), terminate() or kill()"
        case .closed(let name):
            "process \(name) is closed: it cannot be used after close()"
        case .stillRunning(let name):
            "process \(name) is still running: join() or terminate() it before close()"
        case .notAChild(let name):
            "process \(name) is not a child of this process: only the parent can start, join or signal it"
        case .daemonicParent(let name):
            "daemonic processes are not allowed to have children: \(name) is a daemon; start the process from a non-daemon process, or create \(name) with daemon: false"
        }
    }
}
