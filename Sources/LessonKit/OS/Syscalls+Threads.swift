import Glibc

// Threads and the lock they share: what `ThreadScheduler` runs its jobs on.

/// A mutex and a condition variable, allocated once and never moved, for state shared by the
/// scheduler's threads.
final class ThreadMonitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
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

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    func broadcast() { pthread_cond_broadcast(condition) }

    /// With the lock held: waits for a broadcast or until `deadline` (monotonic seconds);
    /// false once the deadline has passed.
    func wait(until deadline: Double) -> Bool {
        guard deadline > monotonicSeconds() else { return false }
        var until = timespec()
        until.tv_sec = Int(deadline)
        until.tv_nsec = Int((deadline - Double(Int(deadline))) * 1e9)
        pthread_cond_timedwait(condition, mutex, &until)
        return true
    }
}

/// Starts a detached thread running `body`; false when the system refused.
func startDetachedThread(_ body: @escaping () -> Void) -> Bool {
    final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return false
    }
    pthread_detach(thread)
    return true
}
