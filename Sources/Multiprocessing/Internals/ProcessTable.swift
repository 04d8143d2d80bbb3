import Glibc

/// This process's view of the process tree: who we are, who our parent is, which children we
/// started. One instance per process; a forked child replaces the inherited one at once, so
/// nothing it holds (including its lock, which another thread of the parent may have held at
/// the moment of the fork) is ever used in the child.
final class ProcessTable: @unchecked Sendable {
    nonisolated(unsafe) private(set) static var shared = ProcessTable(current: nil, parent: nil)

    /// The process object representing this process.
    let current: Process
    /// The parent's id and process object (the parent's copy, as it was at the fork), from
    /// which ``parent`` is made on first use, so a child that never asks allocates nothing.
    private let parentSource: (pid: Int32, process: Process)?
    private var parentView: Process?
    /// A `Monitor`: its mutex is on the heap (see `Process.stateLock`).
    private let lock = Monitor()
    private var counter = 0
    private var children: [Process] = []
    private var exitHandlerInstalled = false

    private init(current: Process?, parent: (pid: Int32, process: Process)?) {
        self.current = current ?? Process(mainProcessWithPid: system_cachedPid())
        self.parentSource = parent
        // Instantiate, in this process, the runtime metadata that `finishAtExit` needs, so a
        // forked child never has to (see `finishAtExit`).
        for child in children where child.daemon { _ = child.isAlive }
    }

    /// Called in a fresh child, before anything else runs there.
    static func resetAfterFork(current: Process, parentPid: Int32, parent: Process) {
        shared = ProcessTable(current: current, parent: (parentPid, parent))
        shared.exitHandlerInstalled = true  // inherited from the parent's atexit registration
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock(body)
    }

    /// The parent, when this process was started by `Process.start()`.
    var parent: Process? {
        guard let parentSource else { return nil }
        return locked {
            if let parentView { return parentView }
            let view = Process(parentWithPid: parentSource.pid, name: parentSource.process.name, identity: parentSource.process.identity)
            parentView = view
            return view
        }
    }

    /// The next number for a child's identity (`Process-N`).
    func nextCounter() -> Int {
        locked { counter += 1; return counter }
    }

    /// Runs `fork` with the table locked, so no other thread is half-way through changing it
    /// at the moment of the fork; registers the started child in the parent.
    func registerChild(_ child: Process) {
        locked { children.append(child) }
        installExitHandler()
    }

    /// Makes ``finishAtExit()`` run when this process exits (once).
    func installExitHandler() {
        locked {
            if !exitHandlerInstalled {
                exitHandlerInstalled = true
                atexit { ProcessTable.shared.finishAtExit() }
            }
        }
    }

    func removeChild(_ child: Process) {
        locked { children.removeAll { $0 === child } }
    }

    /// The children not yet known to have finished; finished ones are reaped and dropped.
    func activeChildren() -> [Process] {
        let snapshot = locked { children }
        let alive = snapshot.filter { $0.isAlive }
        locked { children.removeAll { child in !alive.contains { $0 === child } } }
        return alive
    }

    /// Python's exit behaviour: terminate daemon children, then join every child; then remove
    /// the large-item segments of this process's queues that no one took.
    ///
    /// This runs in forked children too, where another thread of the parent may have held a
    /// lock of the Swift runtime at the moment of the fork; so it touches no generic type the
    /// parent has not already used (see `init`) and returns at once when there are no children
    /// (and no queue was created in this child).
    func finishAtExit() {
        defer { SharedSegments.removeUntaken() }
        let snapshot = locked { children }
        if snapshot.isEmpty { return }
        for child in snapshot where child.daemon && child.isAlive {
            try? child.terminate()
        }
        for child in snapshot {
            try? child.join()
        }
    }
}
