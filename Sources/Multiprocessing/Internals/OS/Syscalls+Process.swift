import CMultiprocessing
import Glibc

// MARK: - Starting a child cheaply

/// What a freshly forked child needs, made ready in the parent.
///
/// A library function is bound by the dynamic linker on its first call, and the binding is
/// written into the calling process's memory. A function first called in a child is therefore
/// looked up again in every child: a walk through the hash tables of every loaded library,
/// each page of which the child has to fault in (the kernel does not copy page tables of file
/// mappings at fork). `prepare()` calls, in the parent and harmlessly, each function the child
/// calls on its way to `run()` and out through `_exit`, so the child inherits them bound.
enum ChildStartup {
    /// `_exit`, called through the address looked up in the parent, so a child needs no
    /// lookup. Computing it binds the rest (a lazy global: initialized once, thread-safely).
    private static let exitAddress: (@convention(c) (Int32) -> Void)? = {
        var mask = sigset_t()
        sigemptyset(&mask)
        pthread_sigmask(SIG_SETMASK, nil, &mask)
        _ = system_getppid()
        _ = cmp_get_parent_death_signal()
        _ = Trace.isEnabled
        _ = SharedSegments.creator
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "_exit") else { return nil }
        return unsafeBitCast(address, to: (@convention(c) (Int32) -> Void).self)
    }()

    /// Binds, in the calling (parent) process, what `Process.runChild` and `system_exit` call.
    /// Only queries: nothing about the parent changes. Cheap after the first call.
    @inline(__always)
    static func prepare() {
        _ = exitAddress
    }

    /// Ends the calling process at once with `code` (`_exit`).
    static func exit(_ code: Int32) -> Never {
        if let exitAddress { exitAddress(code) }
        _exit(code)
    }

    /// Unblocks every signal in the calling thread.
    static func unblockAllSignals() {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
    }
}

// MARK: - Spawn: starting this program again

/// The environment of this process, as `NAME=value` strings.
func system_environment() -> [String] {
    var entries: [String] = []
    var cursor = Glibc.environ
    while let entry = cursor.pointee {
        entries.append(String(cString: entry))
        cursor += 1
    }
    return entries
}

/// Reads and removes an environment variable (so the program's own children do not see it).
func system_takeEnvironmentValue(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    unsetenv(name)
    return text
}

/// Starts this program's executable again (`/proc/self/exe`) with `environment`, its first
/// argument as `argv[0]`, and `descriptors` (from, to) duplicated into the child (the copies
/// are not closed on exec). `posix_spawn`: safe from a threaded parent. All signals unblocked
/// and at their defaults in the child.
func system_spawnSelf(environment: [String], descriptors: [(from: Int32, to: Int32)]) throws(SystemError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for (from, to) in descriptors { posix_spawn_file_actions_adddup2(&actions, from, to) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let program = CommandLine.arguments.first ?? "worker"
    var pid: pid_t = 0
    let rc = withCStringArray([program]) { argv in
        withCStringArray(environment) { envp in
            posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, envp)
        }
    }
    if rc != 0 { throw SystemError(call: "posix_spawn(/proc/self/exe)", errno: rc) }
    return pid
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
