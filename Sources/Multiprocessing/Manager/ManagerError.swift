/// A ``Manager`` or one of its proxies could not do what was asked. Each case names what went
/// wrong and its ``description`` says what to do about it.
public enum ManagerError: Error, Equatable, CustomStringConvertible {
    /// A dictionary or namespace has no such key (Python's `KeyError`). `key` is the key as text.
    case keyNotFound(key: String)
    /// A list index outside `0..<count` (Python's `IndexError`).
    case indexOutOfRange(index: Int, count: Int)
    /// The server process cannot be reached: it was shut down, killed, or never listened at
    /// `address`. `reason` is what the socket said (end of file, connection refused, ...).
    case serverGone(address: String, reason: String)
    /// The proxy or manager was used after ``Manager/shutdown()`` in this process.
    case managerShutDown(address: String)
    /// The server refused the authentication key, or did not prove that it knows it.
    case authenticationFailed(address: String)
    /// A value could not be encoded for the server (the encoder's message is in `reason`).
    case encodingFailed(type: String, reason: String)
    /// The server's bytes could not be decoded as the proxy's type, e.g. two proxies of the
    /// same named object declared with different types.
    case decodingFailed(type: String, reason: String)
    /// A message the server (or the client) could not parse.
    case malformedMessage(reason: String)
    /// `get` on an empty queue without blocking, or when the timeout passed (Python's `queue.Empty`).
    case queueEmpty
    /// `put` on a full queue without blocking, or when the timeout passed (Python's `queue.Full`).
    case queueFull
    /// A lock or condition was released by a client that does not hold it.
    case notOwner(object: String)
    /// A bounded semaphore was released more often than it was acquired.
    case semaphoreOverReleased
    /// The barrier was broken (aborted, reset or timed out) while or before waiting.
    case brokenBarrier
    /// `taskDone()` was called more times than there were items put.
    case taskDoneTooManyTimes
    /// A named object exists with another kind than the one asked for.
    case wrongKind(name: String, expected: String, actual: String)
    /// A request or reply of `bytes` bytes is over the server's
    /// ``ManagerLimits/maximumMessageBytes`` (`limit`). Nothing was changed on the server.
    case messageTooLarge(bytes: Int, limit: Int)
    /// The server already serves ``ManagerLimits/maximumConnections`` (`limit`) connections.
    case tooManyConnections(address: String, limit: Int)
    /// A ``ManagerLimits`` value that cannot work; `reason` names it and the values allowed.
    case invalidLimits(reason: String)
    /// No type is registered as `typeID` on the server; `registered` lists those that are.
    case unknownType(typeID: String, registered: [String])
    /// The registered type `typeID` exposes no method `method`; `exposed` lists those it does.
    case unknownMethod(typeID: String, method: String, exposed: [String])
    /// The registered type's `method` (or its `make`) threw on the server; `reason` describes
    /// the error.
    case methodFailed(typeID: String, method: String, reason: String)
    /// Anything else the server reported.
    case server(message: String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .keyNotFound(let key):
            "KeyError: \(key): the managed dictionary has no such key; use get(_:default:) or check contains(_:) first"
        case .indexOutOfRange(let index, let count):
            "IndexError: index \(index) is out of range for a managed list of \(count) items"
        case .serverGone(let address, let reason):
            "the manager's server at \(address) is gone (\(reason)): it was shut down or killed; start a new Manager"
        case .managerShutDown(let address):
            "the manager at \(address) was shut down: proxies cannot be used after shutdown(); create them from a running Manager"
        case .authenticationFailed(let address):
            "authentication with the manager at \(address) failed: the authKey does not match the server's; pass the same authKey to both sides"
        case .encodingFailed(let type, let reason):
            "a value of type \(type) could not be encoded for the manager: \(reason)"
        case .decodingFailed(let type, let reason):
            "the manager's value could not be decoded as \(type): \(reason); every proxy of one shared object must use the same types"
        case .malformedMessage(let reason):
            "malformed manager message: \(reason)"
        case .queueEmpty:
            "Empty: the managed queue had no item (non-blocking get, or the timeout passed)"
        case .queueFull:
            "Full: the managed queue is at its maxSize (non-blocking put, or the timeout passed)"
        case .notOwner(let object):
            "cannot release an un-acquired \(object): only a holder may release it; acquire() it first"
        case .semaphoreOverReleased:
            "BoundedSemaphore released too many times: release() must follow an acquire()"
        case .brokenBarrier:
            "BrokenBarrierError: the barrier was aborted, reset or timed out; reset() it before reuse"
        case .taskDoneTooManyTimes:
            "taskDone() called too many times: call it once per item taken with get()"
        case .wrongKind(let name, let expected, let actual):
            "the manager's object named \(name) is a \(actual), not a \(expected): use another name or the matching factory"
        case .messageTooLarge(let bytes, let limit):
            "a manager message of \(bytes) bytes is over the limit of \(limit) bytes (ManagerLimits.maximumMessageBytes): send less per call, or start the Manager with a larger maximumMessageBytes"
        case .tooManyConnections(let address, let limit):
            "the manager at \(address) already serves \(limit) connections (ManagerLimits.maximumConnections), one per process and thread that uses it: end idle ones, or start the Manager with a larger maximumConnections"
        case .invalidLimits(let reason):
            "invalid ManagerLimits: \(reason)"
        case .unknownType(let typeID, let registered):
            "no type is registered as \(typeID) on the manager's server (registered: \(registered.isEmpty ? "none" : registered.joined(separator: ", "))): register it in the ManagerRegistry given to the Manager"
        case .unknownMethod(let typeID, let method, let exposed):
            "\(typeID) exposes no method \(method) (exposed: \(exposed.isEmpty ? "none" : exposed.joined(separator: ", "))): expose it when registering the type"
        case .methodFailed(let typeID, let method, let reason):
            "\(typeID).\(method) threw on the manager's server: \(reason)"
        case .server(let message):
            "the manager's server reported: \(message)"
        }
    }
}
