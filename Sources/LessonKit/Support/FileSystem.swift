import Glibc

/// The small set of file operations LessonKit needs, on its OS layer.
public enum FileSystem {
    /// Reads a whole file as text; bytes that are not UTF-8 become U+FFFD. For program output
    /// and traces; a file that is written back is read with ``readUTF8(_:)``.
    public static func readText(_ path: String) throws(FileError) -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// Reads a whole file that must be UTF-8.
    ///
    /// - Throws: ``FileError`` naming the line and byte of the first invalid sequence.
    public static func readUTF8(_ path: String) throws(FileError) -> String {
        let bytes = try readBytes(path)
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let offset = firstInvalidUTF8(bytes)
        let line = bytes[..<offset].count(where: { $0 == 10 }) + 1
        throw FileError(operation: "read", path: path, errno: EILSEQ,
                        reason: "not UTF-8 (line \(line), byte \(offset + 1) is 0x\(String(bytes[offset], radix: 16, uppercase: true))). Save the file as UTF-8; nothing was changed")
    }

    /// Reads a whole file.
    public static func readBytes(_ path: String) throws(FileError) -> [UInt8] {
        let fd: Int32
        switch system_open(path, O_RDONLY) {
        case .success(let opened): fd = opened
        case .failure(let error): throw FileError(operation: "read", path: path, errno: error.errno)
        }
        defer { system_close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = buffer.withUnsafeMutableBytes { system_read(fd, into: $0) }
            switch read {
            case .success(0): return result
            case .success(let count): result += buffer[0..<count]
            case .failure(let error): throw FileError(operation: "read", path: path, errno: error.errno)
            }
        }
    }

    /// Writes `text` to `path`, replacing it (see ``writeBytes(_:to:durable:)``).
    public static func writeText(_ text: String, to path: String, durable: Bool = false) throws(FileError) {
        try writeBytes(Array(text.utf8), to: path, durable: durable)
    }

    /// Replaces the file at `path` with `bytes` as one step: they are written to a temporary
    /// file in the same directory and renamed over `path`, so a reader sees
    /// the old file or the new one, never a part. An existing file's permissions are kept
    /// (a new file gets 0644). On failure `path` is unchanged and the temporary file removed.
    ///
    /// - Parameters:
    ///   - bytes: The new content.
    ///   - path: The file to replace.
    ///   - durable: Flush the bytes to disk before the rename (files a user keeps: a lesson,
    ///     the results), so a crash leaves the old file or the new one.
    public static func writeBytes(_ bytes: [UInt8], to path: String, durable: Bool = false) throws(FileError) {
        let mode = system_stat(path).map { $0.st_mode & 0o7777 } ?? 0o644
        let temporary = temporaryName(for: path)
        let fd: Int32
        switch system_open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600) {
        case .success(let opened): fd = opened
        case .failure(let error): throw FileError(operation: "write", path: path, errno: error.errno)
        }
        let written = bytes.withUnsafeBytes { system_writeAll(fd, $0) }
            .flatMap { system_fchmod(fd, mode) }
            .flatMap { durable ? system_fsync(fd) : .success(()) }
        system_close(fd)
        let renamed = written.flatMap { system_rename(temporary, path) }
        if case .failure(let error) = renamed {
            system_unlink(temporary)
            throw FileError(operation: "write", path: path, errno: error.errno)
        }
    }

    /// `dir/.name.tmp-<pid>-<n>`: beside the file (so the rename stays on one file system), hidden,
    /// unique within the process.
    private static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let number = temporaryCounter.withLock { () -> Int in
            temporaryCount += 1
            return temporaryCount
        }
        return "\(directory).\(name).tmp-\(system_getpid())-\(number)"
    }

    nonisolated(unsafe) private static var temporaryCount = 0
    private static let temporaryCounter = Lock()

    /// Renames `path` to `newPath` (replacing what is there).
    public static func rename(_ path: String, to newPath: String) throws(FileError) {
        if case .failure(let error) = system_rename(path, newPath) {
            throw FileError(operation: "rename", path: path, errno: error.errno)
        }
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool { system_exists(path) }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        system_stat(path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
    }

    /// The modification time in seconds since the epoch, or nil when the file does not exist.
    public static func modificationTime(_ path: String) -> Double? {
        system_stat(path).map { Double($0.st_mtim.tv_sec) + Double($0.st_mtim.tv_nsec) / 1e9 }
    }

    /// Returns when one of `paths` has new content, reading them every `interval` seconds (a
    /// save that writes the same bytes is no change).
    public static func waitForChange(of paths: [String], every interval: Double = 0.25) {
        let before = paths.map { try? readBytes($0) }
        repeat {
            system_sleep(interval)
        } while paths.map({ try? readBytes($0) }) == before
    }

    /// Sets a file's modification time to now.
    public static func touch(_ path: String) { system_touch(path) }

    /// A small file read with one `read(2)` of at most `limit` bytes, as the kernel's `/proc`
    /// files are meant to be read; nil when it cannot be opened or read (a process that ended).
    public static func readSmall(_ path: String, limit: Int = 4096) -> [UInt8]? {
        guard case .success(let fd) = system_open(path, O_RDONLY) else { return nil }
        defer { system_close(fd) }
        return readOnce(limit: limit) { system_read(fd, into: $0) }
    }

    /// A file kept open to be read again from the start, as a `/proc` file is sampled: each
    /// ``read()`` is one `pread(2)` at offset 0, which the kernel answers with fresh contents.
    /// Closed when released.
    public final class RereadableFile {
        private let descriptor: Int32
        private let limit: Int

        /// Opens `path` for reading; nil when it cannot be opened.
        public init?(_ path: String, limit: Int = 4096) {
            guard case .success(let fd) = system_open(path, O_RDONLY) else { return nil }
            descriptor = fd
            self.limit = limit
        }

        deinit { system_close(descriptor) }

        /// The whole file as it is now; nil when it cannot be read (its process ended).
        public func read() -> [UInt8]? {
            FileSystem.readOnce(limit: limit) { system_pread(descriptor, into: $0, offset: 0) }
        }
    }

    /// The bytes one read of at most `limit` bytes gives; nil when it fails.
    private static func readOnce(limit: Int, _ readInto: (UnsafeMutableRawBufferPointer) -> Result<Int, SystemError>) -> [UInt8]? {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: limit) { buffer, count in
            switch readInto(UnsafeMutableRawBufferPointer(buffer)) {
            case .success(let read): count = read
            case .failure: failed = true; count = 0
            }
        }
        return failed ? nil : bytes
    }

    /// The names in a directory (without `.` and `..`), sorted; empty when it cannot be read.
    public static func list(_ path: String) -> [String] { (system_listDirectory(path) ?? []).sorted() }

    /// Creates a directory and its missing parents.
    public static func makeDirectories(_ path: String) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if case .failure(let error) = system_mkdir(current, 0o755), error.errno != EEXIST {
                throw FileError(operation: "create directory", path: current, errno: error.errno)
            }
        }
    }

    /// Creates a fresh private directory inside this run's scratch root (see ``ScratchSpace``),
    /// which is removed when the process exits or is stopped by SIGINT, SIGTERM or SIGHUP.
    public static func makeTemporaryDirectory(prefix: String = "learn-mp") throws(FileError) -> String {
        let base = try ScratchSpace.root()
        switch system_mkdtemp("\(base)/\(prefix)-XXXXXX") {
        case .success(let path): return path
        case .failure(let error): throw FileError(operation: "create a temporary directory in", path: base, errno: error.errno)
        }
    }

    /// Removes a file or a directory tree (links are removed, not followed). Missing paths are fine.
    public static func removeTree(_ path: String) { system_removeTree(path) }

    /// The current working directory.
    public static var currentDirectory: String { system_currentDirectory() ?? "." }

    /// `path` made absolute against the current directory, with `.` and `..` resolved.
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    // MARK: - What is at a path

    /// What a path names, without following a final symbolic link.
    public enum Kind: Sendable, Equatable {
        case missing, file, directory, symbolicLink, other
    }

    /// What `path` names (a symbolic link is reported as one, not followed).
    public static func kind(of path: String) -> Kind {
        guard let info = system_stat(path, following: false) else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// A file's identity: its device and inode. Two paths with the same identity are the same
    /// file, whatever links or `..` lead to it.
    public struct Identity: Hashable, Sendable {
        public var device: UInt64
        public var inode: UInt64
    }

    /// The identity of the file `path` leads to (symbolic links followed), or nil when there is none.
    public static func identity(of path: String) -> Identity? {
        guard let info = system_stat(path) else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// The offset of the first byte of `bytes` that does not start a valid UTF-8 sequence
/// (`bytes.count` when all are valid).
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var iterator = bytes.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let scalar): offset += scalar.count
        case .emptyInput: return bytes.count
        case .error: return offset
        }
    }
}
