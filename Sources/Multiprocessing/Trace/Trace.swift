/// Writes ``TraceEvent``s as JSON lines to the file named by `LEARN_MP_TRACE`.
///
/// Off unless the variable is set; when off, each event costs one check of a flag read once
/// per process. Each event is one `write(2)` of one line to a file opened with `O_APPEND`, so
/// lines from many processes never interleave. Times are monotonic nanoseconds.
///
/// A line is formatted into a buffer on the stack, with no allocation: the start event runs
/// in a freshly forked child, where every heap page touched is a page copied.
public enum Trace {
    /// The trace file's descriptor, or -1 when tracing is off: opened once before `main`,
    /// inherited by forks (see `system_traceDescriptor`).
    @usableFromInline @inline(__always)
    static var descriptor: Int32 { system_traceDescriptor }

    /// Whether this process writes a trace. Built with `-DLEARN_MP_TRACE_COMPILED_OUT` (as
    /// `make bench` builds its reference program) it is a constant false, so every event and
    /// what its call site computes for it compile away: the bench compares that build with
    /// tracing merely off. Inlinable, so a lock inlined into a program checks it with one load
    /// instead of a call into the library.
    @inlinable @inline(__always)
    public static var isEnabled: Bool {
        #if LEARN_MP_TRACE_COMPILED_OUT
        false
        #else
        descriptor >= 0
        #endif
    }

    /// Writes `event` as one line, when tracing is on.
    @inline(__always)
    public static func record(_ event: TraceEvent) {
        guard isEnabled else { return }
        LineWriter.format(capacity: event.lineCapacity, { $0.append(event) }) { bytes in
            system_writeOnce(descriptor, bytes)
        }
    }

    /// The current monotonic time in nanoseconds, the clock of every trace.
    public static var now: UInt64 { UInt64(monotonicNanoseconds()) }

    // MARK: - The library's events

    /// How many holds a process records.
    public static let holdLimit = 512
    /// Holds this process may still record, and the objects of those recorded as taken but not
    /// yet given back (one entry per open hold: a lock taken inside another is two). Reset in
    /// each new process; a race between threads only makes the limit approximate.
    nonisolated(unsafe) private static var holdsLeft = holdLimit
    nonisolated(unsafe) private static var openHolds: [UnsafeRawPointer] = []
    /// The process the two above belong to: a forked child starts afresh at its first hold.
    /// (Reset there, not in ``processStarted(pid:parent:name:)``: a child forked from a
    /// threaded parent must not touch the array, whose generic code may need runtime locks
    /// another thread held at the fork.)
    nonisolated(unsafe) private static var holdsOwner: Int32 = 0

    /// A process began running (in the child, right after fork).
    static func processStarted(pid: Int32, parent: Int32, name: String) {
        guard isEnabled else { return }
        record(TraceEvent(.processStarted(parent: parent, name: name, runtime: "swift"), pid: pid, time: now))
    }

    /// A child was reaped by its parent, with Python's exit code (negative: killed by that signal).
    static func processExited(pid: Int32, exitCode: Int32) {
        guard isEnabled else { return }
        record(TraceEvent(.processExited(exitCode: exitCode, cpu: nil), pid: pid, time: now))
    }

    /// This process took (`acquired`) or gave back a lock or semaphore unit whose shared word
    /// is at `object` (the same address in every forked process, so it names the object).
    ///
    /// A process records its first ``holdLimit`` holds (a counter locked 10,000 times would
    /// otherwise write 20,000 lines); a hold recorded as taken is recorded as given back, and
    /// once the limit is reached no other release is, so the trace never shows a hold that
    /// was given back as still held.
    @usableFromInline
    static func hold(_ acquired: Bool, object: UnsafeRawPointer, kind: TraceEvent.HoldKind) {
        guard isEnabled else { return }
        let pid = system_cachedPid()
        if holdsOwner != pid {
            holdsOwner = pid
            holdsLeft = holdLimit
            openHolds.removeAll()
        }
        if acquired {
            guard holdsLeft > 0 else { return }
            holdsLeft -= 1
            openHolds.append(object)
        } else if let open = openHolds.lastIndex(of: object) {
            openHolds.remove(at: open)
        } else {
            // Given back without a recorded take (a semaphore unit taken by another process).
            guard holdsLeft > 0 else { return }
        }
        // At most 16 hex digits: a small string, stored inline, no allocation.
        let id = String(UInt(bitPattern: object), radix: 16)
        record(TraceEvent(acquired ? .acquired(object: id, kind: kind) : .released(object: id, kind: kind), pid: pid, time: now))
    }

    /// A pool or executor worker began task `index` of job `job`.
    static func taskStarted(pid: Int32, job: Int, index: Int) {
        guard isEnabled else { return }
        record(TraceEvent(.taskStarted(job: job, index: index), pid: pid, time: now))
    }

    /// A pool or executor worker finished task `index` of job `job`.
    static func taskEnded(pid: Int32, job: Int, index: Int, failed: Bool) {
        guard isEnabled else { return }
        record(TraceEvent(.taskEnded(job: job, index: index, failed: failed), pid: pid, time: now))
    }
}
