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
