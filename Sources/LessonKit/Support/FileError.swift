import Glibc

/// A file that could not be read, written, listed or removed.
public struct FileError: Error, CustomStringConvertible, Sendable {
    /// What was attempted (`read`, `write`, `list`, ...).
    public var operation: String
    /// The path.
    public var path: String
    /// The errno value.
    public var errno: Int32

    /// `cannot write site/style.css: it is a directory`: the attempt, the path, and the reason
    /// in words (the system's own message for the less common errors).
    public var description: String {
        "cannot \(operation) \(path): \(reason)"
    }

    /// Why, in words a reader acts on.
    public var reason: String {
        switch errno {
        case EISDIR: "it is a directory"
        case ENOTDIR: "a part of the path is a file, not a directory"
        case ENOENT: "it does not exist (or a folder on the way does not)"
        case EACCES, EPERM: "permission denied"
        case EROFS: "the file system is read-only"
        case ENOSPC, EDQUOT: "no space left on the device"
        case EEXIST: "something is already there"
        case ELOOP: "too many symbolic links on the way"
        default: String(cString: strerror(errno))
        }
    }
}
