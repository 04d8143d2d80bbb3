import CMultiprocessing

// Atomic operations on words in memory shared between threads or processes (futex words,
// ring positions, counters). Each is one inlined C builtin: loads acquire, stores release,
// read-modify-writes are acquire-release, `atomicFence()` is sequentially consistent.

extension UnsafeMutablePointer where Pointee == UInt32 {
    /// Loads the word (acquire).
    @usableFromInline @inline(__always) func atomicLoad() -> UInt32 { cmp_load_u32(self) }

    /// Stores `value` (release).
    @usableFromInline @inline(__always) func atomicStore(_ value: UInt32) { cmp_store_u32(self, value) }

    /// Stores `value` and returns the word it replaced (acquire-release).
    @usableFromInline @inline(__always) func atomicExchange(_ value: UInt32) -> UInt32 { cmp_exchange_u32(self, value) }

    /// Adds `value` (wrapping) and returns the word before the addition (acquire-release).
    @discardableResult
    @usableFromInline @inline(__always) func atomicFetchAdd(_ value: UInt32) -> UInt32 { cmp_fetch_add_u32(self, value) }

    /// Subtracts `value` (wrapping) and returns the word before the subtraction (acquire-release).
    @discardableResult
    @usableFromInline @inline(__always) func atomicFetchSub(_ value: UInt32) -> UInt32 { cmp_fetch_sub_u32(self, value) }

    /// Stores `desired` if the word equals `expected` and returns true; otherwise loads the
    /// word into `expected` and returns false (strong; acquire-release, acquire on failure).
    @usableFromInline @inline(__always) func atomicCompareExchange(expected: inout UInt32, desired: UInt32) -> Bool {
        cmp_cas_u32(self, &expected, desired) != 0
    }
}

extension UnsafeMutablePointer where Pointee == Int64 {
    /// Loads the word (acquire).
    @usableFromInline @inline(__always) func atomicLoad() -> Int64 { cmp_load_i64(self) }

    /// Stores `value` (release).
    @usableFromInline @inline(__always) func atomicStore(_ value: Int64) { cmp_store_i64(self, value) }

    /// Adds `value` (wrapping) and returns the word before the addition (acquire-release).
    @discardableResult
    @usableFromInline @inline(__always) func atomicFetchAdd(_ value: Int64) -> Int64 { cmp_fetch_add_i64(self, value) }

    /// As the 32-bit `atomicCompareExchange(expected:desired:)`.
    @usableFromInline @inline(__always) func atomicCompareExchange(expected: inout Int64, desired: Int64) -> Bool {
        cmp_cas_i64(self, &expected, desired) != 0
    }
}

/// A full (sequentially consistent) memory fence.
@usableFromInline @inline(__always) func atomicFence() { cmp_fence() }

/// A spin-wait hint to the processor (`pause` on x86, `yield` on ARM).
@usableFromInline @inline(__always) func spinPause() { cmp_spin_pause() }
