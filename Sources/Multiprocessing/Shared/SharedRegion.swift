import Glibc
import Synchronization

/// One block of `MAP_SHARED | MAP_ANONYMOUS` memory, created before a fork and shared with
/// every child forked afterwards (nothing appears in `/dev/shm`).
///
/// Objects carve their shared state out of a region with ``allocate(byteCount:alignment:)``
/// and keep a strong reference to it; the block is unmapped when the last reference *in this
/// process* goes away. Reference counts are per process: a forked child owns a copy of the
/// object graph and its own copy of the mapping (the same physical pages), so a child
/// releasing its references unmaps only the child's view and never the parent's. Children
/// normally end with `_exit`, so their deinit rarely runs at all; either way is correct.
final class SharedRegion: @unchecked Sendable {
    /// The first byte of the block.
    let base: UnsafeMutableRawPointer
    /// The block's size in bytes (a multiple of the page size).
    let size: Int
    private let cursor = Mutex(0)

    /// Maps a zeroed block of at least `size` bytes.
    ///
    /// - Parameter lazily: map with `MAP_NORESERVE` so untouched pages cost nothing; for
    ///   large rings.
    init(size: Int, lazily: Bool = false) throws(SystemError) {
        let page = system_pageSize()
        let rounded = max(page, (size + page - 1) / page * page)
        base = try system_mapShared(rounded, lazily: lazily)
        self.size = rounded
    }

    deinit { system_unmap(base, size) }

    /// Reserves `byteCount` bytes (aligned to `alignment`, a power of two; default one cache
    /// line) and returns their address. The memory is zero until written. Allocate before
    /// forking: every process sees the same offsets only when they were chosen before the fork.
    func allocate(byteCount: Int, alignment: Int = 64) -> UnsafeMutableRawPointer {
        let offset = cursor.withLock { cursor -> Int in
            let start = (cursor + alignment - 1) & ~(alignment - 1)
            precondition(start + byteCount <= size, "SharedRegion of \(size) bytes is too small for \(byteCount) more bytes")
            cursor = start + byteCount
            return start
        }
        return base + offset
    }

    /// Reserves room for `count` values of `T` and returns a typed pointer to the first.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let raw = allocate(byteCount: MemoryLayout<T>.stride * count, alignment: max(MemoryLayout<T>.alignment, 64))
        return raw.bindMemory(to: T.self, capacity: count)
    }
}
