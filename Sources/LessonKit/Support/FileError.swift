import Glibc

/// A file that could not be read, written, listed or removed.
public struct FileError: Error, CustomStringConvertible, Sendable {
    /// What was attempted (`read`, `write`, `list`, ...).
    public var operation: String
    /// The path.
    public var path: String
    /// The errno value.
    public var errno: Int32
    /// What was wrong and the fix, when more is known than the errno says.
    public var reason: String?

    /// Creates the error.
    public init(operation: String, path: String, errno: Int32, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.reason = reason
    }

    /// `cannot write site/style.css: it is a directory`: the attempt, the path, and why in
    /// words a reader acts on.
    public var description: String {
        if let reason { return "cannot \(operation) \(path): \(reason)." }
        return "cannot \(operation) \(path): \(Self.describe(errno))"
    }

    /// The common errors in plain words; the system's message for the rest.
    static func describe(_ errno: Int32) -> String {
        switch errno {
        case EISDIR: "it is a directory"
        case ENOTDIR: "a part of the path is a file, not a directory"
        case ENOENT: "it does not exist (or a folder on the way does not)"
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        case ENOSPC, EDQUOT: "no space left on the device"
        case EEXIST: "something is already there"
        case ELOOP: "too many symbolic links on the way"
        default: system_describe(errno)
        }
    }
}
