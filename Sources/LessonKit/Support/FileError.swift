import Glibc

/// A file that could not be read, written, listed or removed.
public struct FileError: Error, CustomStringConvertible, Sendable {
    /// What was attempted (`read`, `write`, `list`, ...).
    public var operation: String
    /// The path.
    public var path: String
    /// The errno value.
    public var errno: Int32

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "cannot \(operation) \(path): \(reason). Check that the path exists and is accessible."
    }
}
