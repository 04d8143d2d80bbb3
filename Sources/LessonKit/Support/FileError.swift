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

    public var description: String {
        if let reason { return "cannot \(operation) \(path): \(reason)." }
        return "cannot \(operation) \(path): \(system_describe(errno)). Check that the path exists and is accessible."
    }
}
