import Glibc

/// The small set of file operations LessonKit needs, on Glibc.
public enum FileSystem {
    /// Reads a whole file as UTF-8 text.
    public static func readText(_ path: String) throws(FileError) -> String {
        let bytes = try readBytes(path)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a whole file.
    public static func readBytes(_ path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "read", path: path, errno: Glibc.errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw FileError(operation: "read", path: path, errno: Glibc.errno)
            }
            if count == 0 { break }
            result += buffer[0..<count]
        }
        return result
    }

    /// Writes `text` to `path`, replacing it (written to a temporary file, then renamed).
    public static func writeText(_ text: String, to path: String) throws(FileError) {
        try writeBytes(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`, replacing it: they go to a new temporary file in the same
    /// directory, which is then renamed over `path`, so `path` holds either its old or its new
    /// content, never a part, and a symbolic link at `path` is replaced, not followed. Nothing is
    /// left behind on failure.
    public static func writeBytes(_ bytes: [UInt8], to path: String) throws(FileError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let prefix = "\(directory.isEmpty ? "" : directory)/.\(name).\(getpid())-"
        var temporary = ""
        var fd: Int32 = -1
        while fd < 0 {
            temporary = prefix + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd < 0 && Glibc.errno != EEXIST && Glibc.errno != EINTR {
                throw FileError(operation: "write", path: path, errno: Glibc.errno)
            }
        }
        var offset = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if Glibc.errno == EINTR { continue }
                    failure = Glibc.errno
                    return
                }
                offset += written
            }
        }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = Glibc.errno }
        if failure != 0 {
            unlink(temporary)
            throw FileError(operation: "write", path: path, errno: failure)
        }
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The modification time in seconds since the epoch, or nil when the file does not exist.
    public static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    /// Sets a file's modification time to now.
    public static func touch(_ path: String) {
        utimensat(AT_FDCWD, path, nil, 0)
    }

    /// The names in a directory (without `.` and `..`), sorted; empty when it cannot be read.
    public static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates a directory and its missing parents.
    public static func makeDirectories(_ path: String) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && Glibc.errno != EEXIST {
                throw FileError(operation: "create directory", path: current, errno: Glibc.errno)
            }
        }
    }

    /// Creates a fresh private directory under `$TMPDIR` (or /tmp).
    public static func makeTemporaryDirectory(prefix: String = "learn-mp") throws(FileError) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw FileError(operation: "create a temporary directory in", path: base, errno: Glibc.errno)
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Removes a file or a directory tree. Missing paths are fine.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The current working directory.
    public static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

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
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
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
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
