import CMultiprocessing
import Glibc

// System calls for shared memory and process-shared locks: the page size, a
// cheap "who am I" for lock ownership, and whether a lock's owner process has ended.

// MARK: - Mappings

/// The system's page size in bytes.
func system_pageSize() -> Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

// MARK: - This process's id, without a system call

// glibc no longer caches getpid(); locks record their holder on every acquire, so the id is
// cached here and refreshed in every forked child by an atfork handler. Anything that reads
// the cache first calls `system_preparePidCache()` once (lock constructors do).
@usableFromInline
@exclusivity(unchecked) nonisolated(unsafe) var cachedProcessIdentifier: pid_t = 0

private let processIdentifierCache: Bool = {
    cachedProcessIdentifier = getpid()
    pthread_atfork(nil, nil, { cachedProcessIdentifier = getpid() })
    return true
}()

/// Fills the pid cache and registers its refresh in forked children (idempotent).
func system_preparePidCache() { _ = processIdentifierCache }

/// getpid(), cached per process (refreshed in forked children).
@inline(__always)
func system_cachedPid() -> pid_t {
    _ = processIdentifierCache
    return cachedProcessIdentifier
}

/// Whether process `pid` has ended: it no longer exists, or it is a zombie (dead, not yet
/// reaped by its parent, so `kill(pid, 0)` still succeeds).
func system_processHasEnded(_ pid: pid_t) -> Bool {
    if kill(pid, 0) == -1 { return Glibc.errno == ESRCH }
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    if fd == -1 { return true }
    defer { _ = Glibc.close(fd) }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
    guard count > 0 else { return true }
    // "pid (comm) S ...": the state follows the last ')'.
    guard let close = buffer[..<count].lastIndex(of: UInt8(ascii: ")")), close + 2 < count else { return false }
    let state = buffer[close + 2]
    return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X")
}

// MARK: - Shared memory that crosses exec

/// A memory file (`memfd_create`, close-on-exec) of `size` zeroed bytes, mapped shared. A
/// spawned child gets the descriptor duplicated and maps the same bytes.
func system_makeSharedMemoryFile(_ size: Int, name: String) throws(SystemError) -> (fd: Int32, address: UnsafeMutableRawPointer) {
    let fd = cmp_memfd_create(name)
    if fd == -1 { throw SystemError(call: "memfd_create(\(name))", errno: Glibc.errno) }
    if ftruncate(fd, off_t(size)) == -1 {
        let error = Glibc.errno
        system_close(fd)
        throw SystemError(call: "ftruncate(memfd, \(size))", errno: error)
    }
    do throws(SystemError) {
        return (fd, try system_mapSharedFile(fd, size))
    } catch {
        system_close(fd)
        throw error
    }
}

/// Maps `size` bytes of the file `fd` shared.
func system_mapSharedFile(_ fd: Int32, _ size: Int) throws(SystemError) -> UnsafeMutableRawPointer {
    let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
    guard let address, address != MAP_FAILED else {
        throw SystemError(call: "mmap(\(size) bytes of a memory file)", errno: Glibc.errno)
    }
    return address
}
