/// A fixed-size plain value that can live in shared memory: the Swift side of Python's
/// ctypes typecodes (`'i'` ↔ `Int32`, `'l'`/`'q'` ↔ `Int`/`Int64`, `'d'` ↔ `Double`,
/// `'f'` ↔ `Float`, `'B'` ↔ `UInt8`, `'I'` ↔ `UInt32`, `'?'` ↔ `Bool`, …).
public protocol SharedScalar: BitwiseCopyable, Sendable {}

extension Int: SharedScalar {}
extension Int8: SharedScalar {}
extension Int16: SharedScalar {}
extension Int32: SharedScalar {}
extension Int64: SharedScalar {}
extension UInt: SharedScalar {}
extension UInt8: SharedScalar {}
extension UInt16: SharedScalar {}
extension UInt32: SharedScalar {}
extension UInt64: SharedScalar {}
extension Float: SharedScalar {}
extension Double: SharedScalar {}
extension Bool: SharedScalar {}

/// One value in shared memory: Python's `multiprocessing.Value`.
///
/// Every read and every write of ``value`` takes the value's lock, exactly like Python, so
/// `counter.value += 1` (a read, then a write) is **not** atomic: two processes can both read
/// 5 and both write 6. Hold ``getLock()`` around the whole update instead:
///
/// ```swift
/// let counter = try Value<Int32>(0)
/// try counter.getLock().withLock { counter.value += 1 }
/// ```
public final class Value<T: SharedScalar>: @unchecked Sendable {
    let region: SharedRegion
    @usableFromInline let pointer: UnsafeMutablePointer<T>
    @usableFromInline let lock: RLock
    @usableFromInline let locking: Bool

    /// Creates a shared value.
    ///
    /// - Parameters:
    ///   - initial: the starting value.
    ///   - lock: when false, reads and writes do not lock (Python's `lock=False`, a raw
    ///     value); ``getLock()`` still returns a lock you may use around your own updates.
    public init(_ initial: T, lock: Bool = true) throws {
        region = try SharedRegion(size: FutexMutex.byteCount + max(64, MemoryLayout<T>.stride))
        self.lock = RLock(in: region)
        locking = lock
        // In the lock's cache line (the lock uses its first 16 bytes): one line moves between
        // processes per locked update, not two.
        pointer = region.allocate(byteCount: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: 1)
        pointer.initialize(to: initial)
    }

    /// Creates a shared value guarded by `lock` (Python's `Value('i', 0, lock=shared_lock)`),
    /// so several values can share one lock; ``getLock()`` returns it.
    ///
    /// The lock is an ``RLock``: every access takes it, so a non-recursive ``Lock`` held
    /// around `value += 1` would deadlock (as it does in Python).
    ///
    /// - Parameters:
    ///   - initial: the starting value.
    ///   - lock: the lock every read and write takes.
    public init(_ initial: T, lock: RLock) throws {
        region = try SharedRegion(size: MemoryLayout<T>.stride)
        self.lock = lock
        locking = true
        pointer = region.allocate(T.self)
        pointer.initialize(to: initial)
    }

    /// Creates a shared value of zero: `0`, `0.0` or `false` (Python's `Value('i')`).
    ///
    /// - Parameter lock: when false, reads and writes do not lock (Python's `lock=False`).
    public convenience init(lock: Bool = true) throws {
        try self.init(Self.zero, lock: lock)
    }

    /// The all-zero bit pattern, which is zero for every ``SharedScalar`` type.
    static var zero: T {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
            return buffer[0]
        }
    }

    /// The value. Each get and each set takes the lock on its own (see the type's notes).
    @inlinable
    public var value: T {
        get {
            guard locking else { return pointer.pointee }
            let took = lock.lockForAccess()
            defer { if took { lock.unlockAfterAccess() } }
            return pointer.pointee
        }
        set {
            guard locking else { pointer.pointee = newValue; return }
            let took = lock.lockForAccess()
            defer { if took { lock.unlockAfterAccess() } }
            pointer.pointee = newValue
        }
    }

    /// The recursive lock guarding the value (Python's `get_lock()`).
    public func getLock() -> RLock { lock }
}
