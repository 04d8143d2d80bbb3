import Glibc

// MARK: - Trace files

/// The value of an environment variable, or nil.
func system_environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Opens `path` for appending (created when missing), close-on-exec; -1 when it cannot.
func system_openForAppending(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
}

/// One `write(2)` of `bytes`, retried on `EINTR`; a failure is ignored (a trace line is lost,
/// the program goes on).
func system_writeOnce(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    while write(fd, bytes.baseAddress, bytes.count) < 0 && errno == EINTR {}
}
