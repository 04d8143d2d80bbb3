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
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(operation: "write", path: path, errno: Glibc.errno) }
        var text = text
        let ok = text.withUTF8 { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if Glibc.errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        let error = Glibc.errno
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileError(operation: "write", path: path, errno: ok ? Glibc.errno : error)
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

    /// Returns when one of `paths` has new content, reading them every `interval` seconds (a
    /// save that writes the same bytes is no change).
    public static func waitForChange(of paths: [String], every interval: Double = 0.25) {
        let before = paths.map { try? readBytes($0) }
        repeat {
            system_pause(seconds: interval)
        } while paths.map({ try? readBytes($0) }) == before
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
}
