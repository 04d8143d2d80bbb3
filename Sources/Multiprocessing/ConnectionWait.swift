import CMultiprocessing
import Glibc

/// Waits until at least one of `connections` has a message (or end-of-file) to receive, or
/// `timeout` seconds pass, like Python's `multiprocessing.connection.wait`.
///
/// ```swift
/// for ready in try wait([first, second], timeout: 1) {
///     print(try ready.recv(Int.self))
/// }
/// ```
///
/// - Parameters:
///   - connections: Readable connections to watch.
///   - timeout: Seconds to wait at most; nil waits as long as it takes.
/// - Returns: The connections that are ready, in the order given; empty after a timeout.
/// - Throws: ``ConnectionError/closed`` or ``ConnectionError/notReadable`` for a connection
///   that cannot be waited on.
public func wait(_ connections: [Connection], timeout: Double? = nil) throws -> [Connection] {
    var descriptors: [Int32] = []
    descriptors.reserveCapacity(connections.count)
    for connection in connections {
        guard connection.readable else { throw ConnectionError.notReadable }
        descriptors.append(try connection.fileno())
    }
    let deadline = Deadline(timeout: timeout)
    let shared = connections.contains { $0.usesSharedRing }
    while true {
        // Ask the writers of shared rings to ring the doorbell, then look before sleeping.
        for connection in connections { connection.armWait() }
        atomicFence()
        let readyNow = connections.contains { $0.isReadyNow }
        var slice = deadline
        if readyNow {
            slice = Deadline(timeout: 0)
        } else if shared {
            // A doorbell lost to another reader of the same end costs at most one slice.
            slice = Connection.slice(of: deadline)
        }
        let polled = Set(try system_poll(descriptors, events: Int16(POLLIN), deadline: slice))
        for (index, connection) in connections.enumerated() {
            connection.disarmWait(polledReady: polled.contains(index))
        }
        let ready = connections.indices.filter { index in
            connections[index].isReadyNow || (!connections[index].usesSharedRing && polled.contains(index))
        }
        if !ready.isEmpty || deadline.hasExpired { return ready.map { connections[$0] } }
    }
}

/// Waits until at least one of the descriptors is readable, or `timeout` seconds pass: for a
/// ``Process/sentinel`` that is when the process has ended; for ``Connection/fileno()`` when a
/// message or end-of-file arrived. Python's `wait` accepts such integers too.
///
/// ```swift
/// let done = try wait(sentinels: workers.compactMap(\.sentinel), timeout: 5)
/// ```
///
/// - Parameters:
///   - sentinels: Descriptors to watch.
///   - timeout: Seconds to wait at most; nil waits as long as it takes.
/// - Returns: The ready descriptors, in the order given; empty after a timeout.
/// - Throws: ``SystemError`` when poll(2) fails.
public func wait(sentinels: [Int32], timeout: Double? = nil) throws -> [Int32] {
    try system_poll(sentinels, events: Int16(POLLIN), deadline: Deadline(timeout: timeout)).map { sentinels[$0] }
}
