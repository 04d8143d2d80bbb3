/// The hooks the runner injects into a Python or Node.js demo's environment, so the program
/// writes the library's trace schema (`TraceEvent` of `Multiprocessing`) without a byte of the
/// sample changed.
///
/// - Python: `sitecustomize.py` in a directory put on `PYTHONPATH`. Python imports it at
///   start-up in the main process and in every spawned child (fork children inherit what it
///   patched). It names `multiprocessing` processes, records pool and executor tasks, holds
///   of `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore` and `Condition`, and `Queue` puts and
///   gets made by the program's own code (not the library's internal ones): the first 512
///   holds and 512 queue operations of each process, like the Swift library (see
///   `Trace.holdLimit`), so a counter locked thousands of times does not flood the trace.
/// - Node.js: `trace-preload.js` given as `--require` in `NODE_OPTIONS`, which Node runs in
///   the main thread, in every `worker_threads` worker and in every `child_process` child. It
///   records `child_process` and `cluster` children (start, exit code or signal),
///   `worker_threads` workers (thread id, name: `workerData.name` or `Worker <threadId>`), and
///   each `'message'` a worker or forked child handles as a task.
///
/// Both write only to the trace file (one `write(2)` per line, `O_APPEND`), never to standard
/// output or error, and ignore their own failures: a hook cannot change what a program prints
/// or its exit code.
public enum RuntimeHooks {
    /// Writes the hook for `runtime` into `directory` and returns the environment variables
    /// that load it (none for Swift, whose library writes the trace itself).
    public static func install(for runtime: Runtime, in directory: String) throws(FileError) -> [String: String] {
        switch runtime {
        case .swift:
            return [:]
        case .python:
            try FileSystem.makeDirectories(directory)
            try FileSystem.writeText(pythonTraceHook, to: directory + "/sitecustomize.py")
            return ["PYTHONPATH": directory]
        case .node:
            try FileSystem.makeDirectories(directory)
            let path = directory + "/trace-preload.js"
            try FileSystem.writeText(nodeTraceHook, to: path)
            return ["NODE_OPTIONS": "--require \"\(path)\""]
        }
    }
}
