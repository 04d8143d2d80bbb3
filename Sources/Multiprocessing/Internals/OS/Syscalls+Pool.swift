import CMultiprocessing
import Glibc

// Threads and the locks between them: `Monitor` (the mutex + condition pair on the monotonic
// clock that every in-process lock of the module uses), thread starting and joining, fork
// handlers, the wake-up descriptor the pool's result handler sleeps on, the robust
// process-shared mutex, and thread-local slots.

// MARK: - Monitor

/// A mutex and a condition variable (on the monotonic clock) for threads of one process; the
/// module's one in-process lock. Both live on the heap, so no caller ever takes `&` of a stored
/// `pthread_mutex_t`.
final class Monitor: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for a broadcast with the lock held; returns false once `deadline` has passed.
    /// Wake-ups may be spurious: callers re-check their condition in a loop.
    func wait(until deadline: Deadline) -> Bool {
        guard let end = deadline.nanoseconds else {
            pthread_cond_wait(condition, mutex)
            return true
        }
        if cmp_monotonic_ns() >= end { return false }
        var time = timespec(tv_sec: Int(end / 1_000_000_000), tv_nsec: Int(end % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT || cmp_monotonic_ns() < end
    }

    func broadcast() { pthread_cond_broadcast(condition) }
}

// MARK: - Threads

/// The calling thread (pthread_self(3)).
@usableFromInline @inline(__always)
func system_currentThread() -> pthread_t { pthread_self() }

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a joinable thread running `body`.
func system_startThread(_ body: @escaping () -> Void) throws(SystemError) -> pthread_t {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { context in
        let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
        body.body()
        return nil
    }, context)
    if rc != 0 {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        throw SystemError(call: "pthread_create()", errno: rc)
    }
    return thread
}

func system_joinThread(_ thread: pthread_t) {
    pthread_join(thread, nil)
}

/// Lets `thread` release its resources when it ends; it can no longer be joined.
func system_detachThread(_ thread: pthread_t) {
    pthread_detach(thread)
}

// MARK: - Wake-up pipe

/// A non-blocking close-on-exec pipe used as a wake-up signal: any process holding the write
/// end makes the read end readable with `system_wakeSignal`; `system_wakeDrain` resets it.
func system_wakePipe() throws(SystemError) -> (read: Int32, write: Int32) {
    var fds: (Int32, Int32) = (-1, -1)
    _ = try withUnsafeMutableBytes(of: &fds) { bytes throws(SystemError) in
        let pair = bytes.baseAddress!.assumingMemoryBound(to: Int32.self)
        return try retryingOnInterrupt("pipe2(O_CLOEXEC | O_NONBLOCK)") { pipe2(pair, O_CLOEXEC | O_NONBLOCK) }
    }
    return fds
}

func system_wakeSignal(_ fd: Int32) {
    var one: UInt8 = 1
    _ = Glibc.write(fd, &one, 1)
}

func system_wakeDrain(_ fd: Int32) {
    var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    while Glibc.read(fd, &buffer, 64) == 64 {}
}

// MARK: - Shared robust mutex

/// Initialises a robust process-shared mutex in place, in shared memory; returns 0 or the error code.
@discardableResult
func system_initRobustMutex(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) -> Int32 {
    cmp_mutex_init_shared(mutex, 0)
}

/// Locks a robust process-shared mutex; a holder that died leaves it consistent again
/// (the data it guards is kept consistent by its users, see `TaskRing`).
@inline(__always)
func system_lockRobust(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
    let rc = cmp_mutex_lock(mutex, -1)
    if rc == EOWNERDEAD { pthread_mutex_consistent(mutex) }
}

@inline(__always)
func system_unlockRobust(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
    pthread_mutex_unlock(mutex)
}

// MARK: - Fork handlers

/// Registers handlers run around every `fork()` of this process (pthread_atfork(3)):
/// `prepare` in the parent before, `parent` and `child` in each afterwards.
func system_atFork(prepare: @escaping @convention(c) () -> Void, parent: @escaping @convention(c) () -> Void,
                   child: @escaping @convention(c) () -> Void) {
    pthread_atfork(prepare, parent, child)
}

// MARK: - Thread-local slots

/// One pointer per thread (pthread keys). When a thread that set one ends, `destructor` gets it.
final class ThreadLocalSlot: @unchecked Sendable {
    private var key = pthread_key_t()

    init(destructor: @convention(c) (UnsafeMutableRawPointer?) -> Void) {
        pthread_key_create(&key, destructor)
    }

    /// The calling thread's pointer, nil until it sets one.
    var value: UnsafeMutableRawPointer? {
        get { pthread_getspecific(key) }
        set { pthread_setspecific(key, newValue) }
    }
}
