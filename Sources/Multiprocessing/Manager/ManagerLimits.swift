/// The bounds a ``Manager``'s server keeps, so no client, hostile or careless, can make it
/// allocate without limit or hold threads for ever.
///
/// Before a connection has authenticated, the server holds no thread for it and reads at most
/// a few bytes from it: one 4-byte length and a 64-byte answer to its challenge (a length above
/// 256 bytes, Python's cap for the same answer, or any other size than the answer's, ends the
/// connection). A connection that has not answered within ``authenticationTimeout`` is closed,
/// and at most 512 connections wait to authenticate at once: a new one then pushes out the
/// one that has waited longest. None of these cost a thread.
///
/// An authenticated connection gets a thread of its own (a client blocked in a lock or a queue
/// blocks nobody else), up to ``maximumConnections`` at once. Its messages are limited to
/// ``maximumMessageBytes``.
///
/// ```swift
/// let manager = try Manager(limits: ManagerLimits(maximumMessageBytes: 256 << 20))
/// ```
///
/// Python's managers have none of these limits; their defaults here are far above what a
/// program that shares objects needs.
public struct ManagerLimits: Sendable, Hashable {
    /// The largest message, request or reply, in bytes (default 64 MiB). A proxy call whose
    /// request or reply would be larger throws ``ManagerError/messageTooLarge(bytes:limit:)``
    /// and the connection keeps working; the server ends a connection that announces a larger
    /// message, after telling it why.
    public var maximumMessageBytes: Int
    /// How many authenticated connections (each one a thread in the server) are served at once
    /// (default 1024). Every process and thread that uses a manager has its own connection. A
    /// connection beyond the limit is refused with
    /// ``ManagerError/tooManyConnections(address:limit:)``.
    public var maximumConnections: Int
    /// Seconds a new connection has to authenticate before the server closes it (default 10).
    public var authenticationTimeout: Double

    /// The values are checked when a ``Manager`` starts with them.
    public init(maximumMessageBytes: Int = 64 << 20, maximumConnections: Int = 1024,
                authenticationTimeout: Double = 10) {
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumConnections = maximumConnections
        self.authenticationTimeout = authenticationTimeout
    }

    /// The size of every frame before authentication is over (Python's 256-byte cap on the
    /// challenge's answer).
    static let preAuthenticationFrameBytes = 256
    /// How many connections may wait to authenticate at once.
    static let maximumPendingConnections = 512

    /// Throws ``ManagerError/invalidLimits(reason:)`` for a value that cannot work.
    func validate() throws {
        guard maximumMessageBytes >= 4096, maximumMessageBytes <= Int(UInt32.max) else {
            throw ManagerError.invalidLimits(reason: "maximumMessageBytes is \(maximumMessageBytes); use a value from 4096 to \(UInt32.max)")
        }
        guard maximumConnections >= 1 else {
            throw ManagerError.invalidLimits(reason: "maximumConnections is \(maximumConnections); use 1 or more")
        }
        guard authenticationTimeout.isFinite, authenticationTimeout > 0 else {
            throw ManagerError.invalidLimits(reason: "authenticationTimeout is \(authenticationTimeout); use a finite number of seconds above 0")
        }
    }
}
