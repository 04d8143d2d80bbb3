#if canImport(Glibc)
import Glibc
#else
#error("Multiprocessing supports Linux (Glibc) only")
#endif

/// A system call failed.
///
/// The error names the call and the `errno` value, e.g. `fork() failed: Resource temporarily
/// unavailable (errno 11)`.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    /// The system call that failed, e.g. `"fork()"`.
    public let call: String
    /// The `errno` value the call left behind.
    public let errno: Int32

    /// Creates an error for `call` failing with `errno`.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(reason) (errno \(errno))"
    }

    /// The system's words for `errno`, e.g. `Connection refused`.
    var reason: String { system_errorDescription(errno) }
}
