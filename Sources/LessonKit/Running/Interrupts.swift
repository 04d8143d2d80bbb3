import Glibc

/// What happens when `learn-mp` is interrupted (SIGINT, SIGTERM, SIGHUP): every running
/// program's process group is killed and the scratch root is removed, then the signal takes
/// its default course (the exit status still says which signal it was).
///
/// Programs run in process groups of their own, outside the terminal's foreground group, so
/// they would not get Ctrl-C themselves. Each program also gets SIGKILL when the thread that
/// started it ends (parent-death signal), so a `learn-mp` killed with SIGKILL takes its
/// programs with it too.
enum Interrupts {
    /// Maps the table of running groups, installs the handlers; idempotent. Call before forking
    /// runner processes, so they share the table and the scratch root.
    static func prepare() {
        let first = lock.withLock { () -> Bool in
            guard !prepared else { return false }
            prepared = true
            RunningGroups.map()
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                system_handleSignal(signal) { number in
                    RunningGroups.killRegistered()
                    ScratchSpace.removeIfCreator()
                    system_reraise(number)
                }
            }
            // A fork while another thread holds a registry lock would leave it locked for ever in
            // the child (a runner process of the pool): forks wait until it is free.
            system_atFork(prepare: { RunningGroups.lock.lock() }, after: { RunningGroups.lock.unlock() })
            return true
        }
        if first { _ = try? ScratchSpace.root() }
    }

    nonisolated(unsafe) private static var prepared = false
    private static let lock = Lock()
}

/// The process groups of running programs, in shared memory made before any runner process is
/// forked: on an interrupt the process that made the table kills every registered group, any
/// other process (a runner forked from it) the groups it started itself.
enum RunningGroups {
    static let slots = 4096
    /// Per slot: the registering process's pid, then the program's process group.
    nonisolated(unsafe) static var table: UnsafeMutablePointer<Int32>?
    nonisolated(unsafe) static var creator: Int32 = 0
    static let lock = Lock()

    /// Maps the table (once).
    static func map() {
        lock.withLock {
            guard table == nil, let memory = system_mapShared(bytes: 2 * slots * MemoryLayout<Int32>.stride) else { return }
            table = memory.bindMemory(to: Int32.self, capacity: 2 * slots)
            creator = system_getpid()
        }
    }

    /// Records a running program's group; returns its slot (or -1).
    static func register(_ group: Int32) -> Int {
        lock.withLock {
            guard let table else { return -1 }
            let start = Int(group) % slots
            for offset in 0..<slots where table[2 * ((start + offset) % slots) + 1] == 0 {
                let slot = (start + offset) % slots
                table[2 * slot] = system_getpid()
                table[2 * slot + 1] = group
                return slot
            }
            return -1
        }
    }

    /// Forgets a program's group.
    static func unregister(_ slot: Int) {
        guard slot >= 0 else { return }
        lock.withLock {
            guard let table else { return }
            table[2 * slot + 1] = 0
            table[2 * slot] = 0
        }
    }

    /// The groups (= leader pids) this process registered.
    static func own() -> Set<Int32> {
        lock.withLock {
            guard let table else { return [] }
            let me = system_getpid()
            return Set((0..<slots).filter { table[2 * $0] == me && table[2 * $0 + 1] > 0 }.map { table[2 * $0 + 1] })
        }
    }

    /// Kills the registered groups this process may kill (from a signal handler: only
    /// async-signal-safe calls, no lock).
    static func killRegistered() {
        guard let table else { return }
        let me = system_getpid()
        for slot in 0..<slots {
            let group = table[2 * slot + 1]
            if group > 0 && (me == creator || table[2 * slot] == me) { system_killGroup(group, SIGKILL) }
        }
    }
}
