import CMultiprocessing
import Glibc

/// A unit of work run in a separate OS process, like Python's `multiprocessing.Process`.
///
/// Give it a closure, or subclass it and override ``run()``. `start()` forks: the child is a
/// copy of this program, so everything the closure captures is simply there.
///
/// ```swift
/// let p = Process(name: "worker") { print("hello from", currentProcess().name) }
/// try p.start()
/// try p.join()
/// print(p.exitCode!)  // 0
/// ```
///
/// The child ends when the work returns (exit code 0) or throws (exit code 1, with a report on
/// standard error). A child killed by signal N has exit code -N. Standard output is flushed
/// before the fork, so nothing is printed twice. Code in a child must be synchronous: Dispatch
/// and Swift concurrency used by the parent before the fork are not usable in the child.
open class Process: @unchecked Sendable {
    // MARK: Identity

    /// The process's name: `Process-N` by default (`Process-N:M` for a grandchild), as Python;
    /// an instance of a subclass `Worker` is `Worker-N`.
    public var name: String
    /// A daemon child is terminated when its parent exits, and killed if the parent dies; a
    /// daemon may not start children of its own (``ProcessError/daemonicParent(name:)``).
    ///
    /// Set it before `start()`: setting it on a started process is a programming error and
    /// traps with a message, as Python's `AssertionError`.
    public var daemon: Bool {
        get { daemonFlag }
        set {
            if role == .child {
                let started = withState { state in if case .initial = state { false } else { true } }
                precondition(!started, "process \(name) has already started: set daemon before start()")
            }
            daemonFlag = newValue
        }
    }
    private var daemonFlag: Bool
    /// The numbers that make up the default name: the parent's identity plus a counter.
    let identity: [Int]

    private enum Role { case child, main, parent }
    private enum State {
        case initial
        /// `pidfd` is -1 until something needs it (`join(timeout:)`, `sentinel`): a plain
        /// start+join never opens one.
        case running(pid: Int32, pidfd: Int32)
        case finished(pid: Int32, exitCode: Int32)
        /// After `close()`: the pid and exit code are kept (nil when it never started).
        case closed(pid: Int32?, exitCode: Int32?)
    }

    private let role: Role
    private let target: (() throws -> Void)?
    private var state: State
    /// A `Monitor`, whose mutex is on the heap: `&` on a stored `pthread_mutex_t` is an inout
    /// access of the property itself, which races between threads (ThreadSanitizer reports it)
    /// and need not give a stable address.
    private let stateLock = Monitor()

    // MARK: Creating

    /// Creates a process that runs `target` in a child when started.
    ///
    /// - Parameters:
    ///   - name: The name; defaults to `Process-N`, or `Worker-N` for a subclass `Worker`.
    ///   - daemon: Whether the child is a daemon (see ``daemon``).
    ///   - target: The work. A thrown error ends the child with exit code 1.
    public init(name: String? = nil, daemon: Bool = false, target: (() throws -> Void)? = nil) {
        let table = ProcessTable.shared
        self.identity = table.current.identity + [table.nextCounter()]
        self.name = name ?? ""
        self.daemonFlag = daemon
        self.target = target
        self.role = .child
        self.state = .initial
        if name == nil {
            // As Python's `type(self).__name__`: the dynamic type, known only now.
            self.name = "\(type(of: self))-" + identity.map(String.init).joined(separator: ":")
        }
    }

    /// The main process (`MainProcess`), created once.
    init(mainProcessWithPid pid: Int32) {
        identity = []
        name = "MainProcess"
        daemonFlag = false
        target = nil
        role = .main
        state = .running(pid: pid, pidfd: -1)
    }

    /// The parent of a child, as seen from the child.
    init(parentWithPid pid: Int32, name: String, identity: [Int]) {
        self.identity = identity
        self.name = name
        daemonFlag = false
        target = nil
        role = .parent
        state = .running(pid: pid, pidfd: -1)
    }

    deinit {
        if case .running(_, let pidfd) = state, pidfd >= 0 { system_close(pidfd) }
    }

    // MARK: The work

    /// The work done in the child. Calls the target given to the initializer; override it in
    /// a subclass to do the work there instead.
    open func run() throws {
        try target?()
    }

    // MARK: State

    private func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try stateLock.withLock { try body(&state) }
    }

    /// The process id: nil before `start()`. Kept after `close()`.
    public var pid: Int32? {
        withState { state in
            switch state {
            case .initial: nil
            case .running(let pid, _), .finished(let pid, _): pid
            case .closed(let pid, _): pid
            }
        }
    }

    /// The process id (Python's `ident`, an alias of ``pid``).
    public var ident: Int32? { pid }

    /// A descriptor that becomes readable when the child ends (a pidfd), for ``wait(_:timeout:)``
    /// style polling; nil before start and after the child was reaped.
    public var sentinel: Int32? {
        guard role == .child else { return nil }
        let pidfd = openPidfd()
        return pidfd >= 0 ? pidfd : nil
    }

    /// The child's pidfd, opened on first use (a zombie not yet reaped still has one); -1
    /// when the child is not running or the kernel has no pidfds.
    private func openPidfd() -> Int32 {
        withState { state in
            guard case .running(let pid, let pidfd) = state else { return -1 }
            if pidfd >= 0 { return pidfd }
            guard let opened = try? system_pidfdOpen(pid) else { return -1 }
            state = .running(pid: pid, pidfd: opened)
            return opened
        }
    }

    /// The exit code once the child has ended: 0 on success, 1 when the work threw, the value
    /// passed to `exit`, or -N when killed by signal N. Nil while it runs or before start.
    /// Kept after `close()`.
    public var exitCode: Int32? {
        guard role == .child else { return nil }
        try? reap(options: WNOHANG)
        return withState { state in
            switch state {
            case .finished(_, let code): code
            case .closed(_, let code): code
            default: nil
            }
        }
    }

    /// Whether the child has been started and has not ended yet. `currentProcess().isAlive` is
    /// true, as in Python; false after `close()` (which needs the child to have ended).
    public var isAlive: Bool {
        switch role {
        case .main: return true
        case .parent:
            guard let pid else { return false }
            return system_processExists(pid) && system_getppid() == pid
        case .child:
            if self === ProcessTable.shared.current { return true }
            try? reap(options: WNOHANG)
            return withState { state in
                if case .running = state { return true }
                return false
            }
        }
    }

    // MARK: Lifecycle

    /// Starts the child: forks, and runs ``run()`` there.
    ///
    /// - Throws: ``ProcessError/alreadyStarted(name:)`` on a second call, ``ProcessError/closed(name:)``
    ///   after `close()`, ``ProcessError/daemonicParent(name:)`` in a daemon process, or a
    ///   ``SystemError`` when the fork fails.
    public func start() throws {
        guard role == .child, self !== ProcessTable.shared.current else { throw ProcessError.notAChild(name: name) }
        let current = ProcessTable.shared.current
        if current.daemon { throw ProcessError.daemonicParent(name: current.name) }
        try withState { state in
            switch state {
            case .initial: break
            case .closed: throw ProcessError.closed(name: name)
            default: throw ProcessError.alreadyStarted(name: name)
            }
        }
        let table = ProcessTable.shared
        let parent = table.current
        let parentPid = system_cachedPid()
        ChildStartup.prepare()
        system_flushOutputStreams()
        let pid = try system_fork()
        if pid == 0 { runChild(parent: parent, parentPid: parentPid) }
        withState { $0 = .running(pid: pid, pidfd: -1) }
        table.registerChild(self)
    }

    /// The child side of `start()`: never returns.
    ///
    /// Every page the child writes is copied, and every library function it calls for the
    /// first time is looked up by the dynamic linker in the child's copy; so the path to `run()`
    /// allocates nothing it can avoid (the parent's `Process` view is made on first use) and
    /// calls only functions `ChildStartup.prepare()` has already bound in the parent.
    private func runChild(parent: Process, parentPid: Int32) -> Never {
        let pid = system_cachedPid()  // refreshed by the fork's atfork handler
        withState { $0 = .running(pid: pid, pidfd: -1) }
        ProcessTable.resetAfterFork(current: self, parentPid: parentPid, parent: parent)
        // The forking thread may block signals (Dispatch's worker threads block most of them);
        // the child must answer terminate() and Ctrl-C like any process.
        ChildStartup.unblockAllSignals()
        if daemon {
            try? system_setParentDeathSignal(SIGKILL)
            if system_getppid() != parentPid { system_exit(1) }  // the parent died before prctl
        }
        Trace.processStarted(pid: pid, parent: parentPid, name: name)
        var code: Int32 = 0
        do {
            try run()
        } catch {
            code = 1
            let report = "Process \(name):\n\(String(reflecting: type(of: error))): \(error)\n"
            system_flushOutputStreams()
            system_writeStandardError(report)
        }
        ProcessTable.shared.finishAtExit()
        system_exit(code)
    }

    /// Waits until the child ends, or until `timeout` seconds have passed.
    ///
    /// Like Python, a timeout is not an error: check ``exitCode`` or ``isAlive`` afterwards.
    /// - Throws: ``ProcessError/notStarted(name:)`` when the process was never started.
    public func join(timeout: Double? = nil) throws {
        guard role == .child, self !== ProcessTable.shared.current else { throw ProcessError.notAChild(name: name) }
        let finished: Bool = try withState { state in
            switch state {
            case .initial: throw ProcessError.notStarted(name: name)
            case .closed: throw ProcessError.closed(name: name)
            case .finished: return true
            case .running: return false
            }
        }
        if finished { return }
        if timeout == nil {
            try reap(options: 0)
        } else if case let pidfd = openPidfd(), pidfd >= 0 {
            let ready = try system_poll(pidfd, events: Int16(POLLIN), deadline: Deadline(timeout: timeout))
            if ready != 0 { try reap(options: 0) }
        } else {
            // No pidfd (very old kernel): poll the child's state.
            let deadline = Deadline(timeout: timeout)
            while isAlive, !deadline.hasExpired { system_sleep(microseconds: 1000) }
        }
        if !isAlive { ProcessTable.shared.removeChild(self) }
    }

    /// Collects the child's exit status if it has ended (`WNOHANG`) or waits for it (0).
    private func reap(options: Int32) throws {
        let target: Int32? = withState { state in
            if case .running(let pid, _) = state { return pid }
            return nil
        }
        guard let target else { return }
        let result: (pid: pid_t, status: Int32)?
        do {
            result = try system_waitpid(target, options: options)
        } catch {
            guard error.errno == ECHILD else { throw error }
            // Another thread reaped it; wait for it to record the status.
            while case .running = withState({ $0 }) { system_sleep(microseconds: 100) }
            return
        }
        guard let result else { return }
        let code = decodeExitCode(waitStatus: result.status)
        withState { state in
            // Closed here, not earlier: another thread may have opened it while we waited.
            if case .running(_, let pidfd) = state, pidfd >= 0 { system_close(pidfd) }
            state = .finished(pid: target, exitCode: code)
        }
        Trace.processExited(pid: target, exitCode: code)
    }

    /// Sends `SIGTERM` to the child. Does nothing once it has ended.
    public func terminate() throws { try deliver(SIGTERM) }

    /// Sends `SIGKILL` to the child. Does nothing once it has ended.
    public func kill() throws { try deliver(SIGKILL) }

    private func deliver(_ signal: Int32) throws {
        guard role == .child, self !== ProcessTable.shared.current else { throw ProcessError.notAChild(name: name) }
        let pid: Int32? = try withState { state in
            switch state {
            case .initial: throw ProcessError.notStarted(name: name)
            case .closed: throw ProcessError.closed(name: name)
            case .finished: return nil
            case .running(let pid, _): return pid
            }
        }
        if let pid { try system_kill(pid, signal) }
    }

    /// Releases the process object's resources. The child must have ended.
    ///
    /// - Throws: ``ProcessError/stillRunning(name:)`` while the child runs.
    public func close() throws {
        if isAlive, role == .child, case .running = withState({ $0 }) {
            throw ProcessError.stillRunning(name: name)
        }
        withState { state in
            switch state {
            case .initial: state = .closed(pid: nil, exitCode: nil)
            case .finished(let pid, let code): state = .closed(pid: pid, exitCode: code)
            case .running(let pid, let pidfd):
                // Another role (parent/main view) or a child reaped elsewhere.
                if pidfd >= 0 { system_close(pidfd) }
                state = .closed(pid: pid, exitCode: nil)
            case .closed: break
            }
        }
        ProcessTable.shared.removeChild(self)
    }
}

extension Process: CustomStringConvertible {
    public var description: String {
        let status: String = withState { state in
            switch state {
            case .initial: "initial"
            case .running: role == .child ? "started" : "running"
            case .finished(_, let code): "stopped exitcode=\(code)"
            case .closed: "closed"
            }
        }
        return "<Process name='\(name)' \(status)\(daemon ? " daemon" : "")>"
    }
}

// MARK: - The process tree

/// The process object of the calling process: `MainProcess` in the program that was launched,
/// the ``Process`` itself inside a started child.
public func currentProcess() -> Process { ProcessTable.shared.current }

/// The parent of the calling process, or nil in the main process.
public func parentProcess() -> Process? { ProcessTable.shared.parent }

/// The children of the calling process that are still running. Children that have ended are
/// reaped (no zombies remain) and dropped from the list.
public func activeChildren() -> [Process] { ProcessTable.shared.activeChildren() }

/// The number of CPUs this process may run on (its affinity mask), at least 1.
public func cpuCount() -> Int {
    var set = cpu_set_t()
    if sched_getaffinity(0, MemoryLayout<cpu_set_t>.size, &set) == 0 {
        let count = withUnsafeBytes(of: &set) { bytes in bytes.reduce(0) { $0 + $1.nonzeroBitCount } }
        if count > 0 { return count }
    }
    return system_processorCount()
}
