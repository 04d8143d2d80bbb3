/// An error thrown by a task inside a pool or executor worker, re-thrown in the parent.
///
/// The original error value stays in the worker's process; what crosses back is its type name
/// and its text. `description` is the worker's message, as `str(exception)` in Python.
public struct WorkerError: Error, Equatable, CustomStringConvertible {
    /// The thrown error's type, e.g. `"MyModule.ValidationError"`.
    public let typeName: String
    /// The thrown error's description in the worker.
    public let message: String
    /// The worker that ran the task, e.g. `"ForkPoolWorker-2"`.
    public let worker: String

    /// Creates the parent-side copy of a worker's error.
    public init(typeName: String, message: String, worker: String) {
        self.typeName = typeName
        self.message = message
        self.worker = worker
    }

    /// The worker's message, as `str(exception)` in Python.
    public var description: String { message }
}
