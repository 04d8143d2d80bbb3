import CMultiprocessing
import Glibc

// System calls for shared memory and process-shared locks: large lazily-backed mappings,
// robust mutexes living in shared memory, and a cheap "who am I" for lock bookkeeping.

// MARK: - Mappings

/// Maps `size` bytes of zeroed shared memory without reserving swap for it: pages cost
/// nothing until first touched, so a generous ring (tens of MiB) is cheap when barely used.
func system_mapSharedLazily(_ size: Int) throws(SystemError) -> UnsafeMutableRawPointer {
    let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
    guard let address, address != MAP_FAILED else {
        throw SystemError(call: "mmap(\(size) bytes, MAP_SHARED|MAP_NORESERVE)", errno: Glibc.errno)
    }
    return address
}

/// The system's page size in bytes.
func system_pageSize() -> Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

// MARK: - This process's id, without a system call

// glibc no longer caches getpid(); locks record their holder on every acquire, so the id is
// cached here and refreshed in every forked child by an atfork handler.
nonisolated(unsafe) private var cachedProcessIdentifier: pid_t = 0
private let processIdentifierCache: Bool = {
    cachedProcessIdentifier = getpid()
    pthread_atfork(nil, nil, { cachedProcessIdentifier = getpid() })
    return true
}()

/// getpid(), cached per process (refreshed in forked children).
@inline(__always)
func system_cachedPid() -> pid_t {
    _ = processIdentifierCache
    return cachedProcessIdentifier
}

// MARK: - Robust process-shared mutexes

/// What locking a robust mutex came to.
enum RobustLockOutcome: Equatable {
    /// The caller now holds the mutex.
    case acquired
    /// The caller now holds the mutex, but its previous holder died while holding it: the
    /// data it protects may be half-updated. Call `system_mutexMarkConsistent` before unlocking.
    case ownerDied
    /// The deadline passed (or, for a try-lock, someone else holds it).
    case timedOut
    /// The calling thread already holds this non-recursive mutex.
    case wouldDeadlock
}

/// The kinds of robust mutex the library uses.
enum RobustMutexKind {
    /// Plain (the byte ring's internal locks).
    case normal
    /// Relocking by the holder fails with `EDEADLK` instead of hanging (`Lock`).
    case errorChecking
    /// The holder may lock again; it must unlock as often (`RLock`).
    case recursive
}

/// Initialises a robust, process-shared mutex in place.
func system_mutexInitShared(_ mutex: UnsafeMutablePointer<pthread_mutex_t>, kind: RobustMutexKind) throws(SystemError) {
    var attributes = pthread_mutexattr_t()
    var rc = pthread_mutexattr_init(&attributes)
    if rc != 0 { throw SystemError(call: "pthread_mutexattr_init", errno: rc) }
    defer { pthread_mutexattr_destroy(&attributes) }
    _ = pthread_mutexattr_setpshared(&attributes, Int32(PTHREAD_PROCESS_SHARED))
    _ = pthread_mutexattr_setrobust(&attributes, Int32(PTHREAD_MUTEX_ROBUST))
    let type = switch kind {
    case .normal: Int32(PTHREAD_MUTEX_NORMAL)
    case .errorChecking: Int32(PTHREAD_MUTEX_ERRORCHECK)
    case .recursive: Int32(PTHREAD_MUTEX_RECURSIVE)
    }
    _ = pthread_mutexattr_settype(&attributes, type)
    rc = pthread_mutex_init(mutex, &attributes)
    if rc != 0 { throw SystemError(call: "pthread_mutex_init(robust, pshared)", errno: rc) }
}

/// Locks `mutex`, waiting until `deadline`. An expired deadline tries a few times before
/// giving up, so a momentarily held mutex does not look busy to a non-blocking caller.
func system_mutexLock(_ mutex: UnsafeMutablePointer<pthread_mutex_t>, deadline: Deadline) throws(SystemError) -> RobustLockOutcome {
    var rc: Int32
    if deadline.nanoseconds == nil {
        rc = pthread_mutex_lock(mutex)
    } else {
        rc = pthread_mutex_trylock(mutex)
        var spins = 0
        while rc == EBUSY {
            guard let left = deadline.remainingNanoseconds else { break }
            if left > 0 {
                rc = cmp_mutex_lock(mutex, left)
            } else {
                if spins == 64 { break }
                spins += 1
                cmp_spin_pause()
                rc = pthread_mutex_trylock(mutex)
            }
        }
    }
    switch rc {
    case 0: return .acquired
    case EOWNERDEAD: return .ownerDied
    case ETIMEDOUT, EBUSY: return .timedOut
    case EDEADLK: return .wouldDeadlock
    default: throw SystemError(call: "pthread_mutex_lock(robust)", errno: rc)
    }
}

/// Marks a mutex acquired with `.ownerDied` as consistent again, so later lockers proceed.
func system_mutexMarkConsistent(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
    _ = pthread_mutex_consistent(mutex)
}

/// Unlocks `mutex`; returns 0 or the error code (`EPERM`: the caller does not hold it).
@discardableResult
func system_mutexUnlock(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) -> Int32 {
    pthread_mutex_unlock(mutex)
}
