import CMultiprocessing
import Glibc

// MARK: - Trace files

/// The trace file `LEARN_MP_TRACE` names, opened by the C shim before `main` (and inherited by
/// forks); -1 when tracing is off. Reading it is one load of a C global.
@usableFromInline @inline(__always)
var system_traceDescriptor: Int32 { cmp_trace_fd() }

/// One `write(2)` of `bytes`, retried on `EINTR`; a failure is ignored (a trace line is lost,
/// the program goes on).
func system_writeOnce(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    while write(fd, bytes.baseAddress, bytes.count) < 0 && errno == EINTR {}
}
