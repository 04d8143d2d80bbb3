import CMultiprocessing
import Testing
import Glibc
@testable import Multiprocessing

/// Counters in MAP_SHARED memory, visible to every worker forked after it was made.
final class PoolCounters: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let count: Int

    init(_ count: Int = 8) throws {
        self.count = count
        base = try system_mapShared(count * 8)
    }

    deinit { system_unmap(base, count * 8) }

    private func slot(_ index: Int) -> UnsafeMutablePointer<Int64> {
        (base + index * 8).assumingMemoryBound(to: Int64.self)
    }

    subscript(index: Int) -> Int64 { cmp_load_i64(slot(index)) }

    @discardableResult
    func add(_ index: Int, _ value: Int64 = 1) -> Int64 { cmp_fetch_add_i64(slot(index), value) + value }

    /// Raises counter `index` to at least `value`.
    func raise(_ index: Int, to value: Int64) {
        var current = cmp_load_i64(slot(index))
        while current < value, cmp_cas_i64(slot(index), &current, value) == 0 {}
    }

    /// Waits (up to `seconds`) until counter `index` reaches `value`.
    func wait(_ index: Int, reaches value: Int64, seconds: Double = 5) -> Bool {
        let end = cmp_monotonic_ns() + Int64(seconds * 1e9)
        while self[index] < value {
            if cmp_monotonic_ns() > end { return false }
            usleep(1000)
        }
        return true
    }
}

/// The number of open descriptors of this process.
func poolDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count
}

/// Whether `pid` is gone entirely (reaped: not even a zombie).
func poolPidGone(_ pid: Int32) -> Bool {
    kill(pid, 0) == -1 && errno == ESRCH
}

/// Waits up to `seconds` for every pid to be gone.
func poolPidsGone(_ pids: some Sequence<Int32>, seconds: Double = 3) -> Bool {
    let end = cmp_monotonic_ns() + Int64(seconds * 1e9)
    while !pids.allSatisfy(poolPidGone) {
        if cmp_monotonic_ns() > end { return false }
        usleep(2000)
    }
    return true
}

struct PoolTaskFailure: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}

/// A thread-safe box for values set by callbacks on the pool's handler thread.
final class CallbackBox<T>: @unchecked Sendable {
    private let monitor = Monitor()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { monitor.withLock { stored } }
        set { monitor.withLock { stored = newValue } }
    }
    func update(_ body: (inout T) -> Void) { monitor.withLock { body(&stored) } }
}

/// Runs `body` in a forked child, where no other test's processes or descriptors exist, and
/// returns the child's exit code: 0 when `body` returned 0, else `body`'s code (the number of
/// the check that failed), or 100 when it threw.
func inFreshProcess(_ body: @escaping () throws -> Int32) throws -> Int32 {
    let child = Process {
        let code = (try? body()) ?? 100
        if code != 0 { exit(code) }
    }
    try child.start()
    try child.join(timeout: 20)
    if child.isAlive { try child.kill(); try child.join() }
    return child.exitCode ?? -1
}

/// The parent suite: pool and executor tests fork workers and count children and
/// descriptors, so they run one at a time.
@Suite("Pools", .serialized)
struct PoolSuites {}
