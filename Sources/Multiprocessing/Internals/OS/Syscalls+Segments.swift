import Glibc

// System calls for one-off shared-memory segments: files in /dev/shm (tmpfs) that carry one
// queue item too large for its ring from one process to another. Same rules as Syscalls.swift.

/// The directory that holds the segments.
let sharedSegmentDirectory = "/dev/shm"

/// Creates the segment `path` (which must not exist) holding a copy of `bytes`, readable and
/// writable by this user only. Nothing is left behind when it fails.
func system_createSegment(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
    let fd = try retryingOnInterrupt("open(\(path), O_CREAT|O_EXCL)") {
        open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    }
    defer { system_close(fd) }
    do {
        try system_writeAll(fd, bytes)
    } catch {
        system_unlink(path)
        throw error
    }
}

/// Opens the segment `path` of `size` bytes, removes its name (the mapping keeps the pages
/// until it is unmapped) and maps it read-only with its pages populated.
func system_takeSegment(_ path: String, size: Int) throws(SystemError) -> UnsafeRawBufferPointer {
    let fd = try retryingOnInterrupt("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) }
    defer { system_close(fd) }
    system_unlink(path)
    guard size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    let address = mmap(nil, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0)
    guard let address, address != MAP_FAILED else {
        throw lastSystemError("mmap(\(path), \(size) bytes)")
    }
    return UnsafeRawBufferPointer(start: address, count: size)
}

/// Unmaps a segment mapped by ``system_takeSegment(_:size:)``.
func system_releaseSegment(_ bytes: UnsafeRawBufferPointer) {
    if let base = bytes.baseAddress { _ = munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
}

/// The names of the entries of `directory` that start with `prefix` (none when it cannot be read).
func system_directoryEntries(_ directory: String, prefix: String) -> [String] {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name.hasPrefix(prefix) { names.append(name) }
    }
    return names
}
