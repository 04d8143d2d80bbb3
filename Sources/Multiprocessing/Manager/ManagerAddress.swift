import Glibc

/// Where a ``Manager``'s server listens: a Unix domain socket (the default, in a private
/// directory) or a TCP address for clients on other processes that were not forked from the
/// owner (Python's `BaseManager(address=('127.0.0.1', 50000))`).
public enum ManagerAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A Unix domain socket file.
    case unix(path: String)
    /// An IPv4 address and port. Port 0 asks the kernel for a free port; ``Manager/address``
    /// then holds the port chosen.
    case tcp(host: String, port: UInt16)

    /// The path, or `host:port`.
    public var description: String {
        switch self {
        case .unix(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }

    /// The address for bind/connect.
    func socketAddress() throws(SystemError) -> SocketAddress {
        switch self {
        case .unix(let path): try .unix(path)
        case .tcp(let host, let port): try .ipv4(host, port: port)
        }
    }

    /// The socket file's path, for a Unix domain socket.
    var unixPath: String? {
        if case .unix(let path) = self { return path }
        return nil
    }

    var family: Int32 {
        if case .unix = self { return AF_UNIX }
        return AF_INET
    }
}
