/// Creates a pair of connected ``Connection``s, like Python's `multiprocessing.Pipe`.
///
/// With `duplex: true` (the default) both ends can send and receive. With `duplex: false` the
/// first connection only receives and the second only sends, as Python's `(reader, writer)`.
///
/// Messages travel through rings in shared memory (one per direction, 256 KiB each), so a
/// small message costs a copy rather than a system call; each end also holds a Unix socket,
/// which wakes a receiver that sleeps, reports a peer that ended, and carries messages larger
/// than 64 KiB (the kernel copies big blocks faster). ``Connection/fileno()`` is that socket,
/// so poll(2) and ``wait(_:timeout:)`` work as with Python's connections.
///
/// Create the pipe before starting the processes that use it: a forked child inherits both
/// ends. Each side should `close()` the end it does not use, so that when one side finishes,
/// the other gets ``ConnectionError/endOfFile`` instead of waiting.
///
/// ```swift
/// let (parentEnd, childEnd) = try Pipe()
/// let child = Process {
///     try parentEnd.close()
///     try childEnd.send("hello")
/// }
/// try child.start()
/// try childEnd.close()
/// print(try parentEnd.recv(String.self))  // hello
/// ```
///
/// - Parameter duplex: Whether both ends can send and receive.
/// - Returns: The two ends; `(reader, writer)` when `duplex` is false.
/// - Throws: ``SystemError`` when the system is out of descriptors or memory.
public func Pipe(duplex: Bool = true) throws -> (Connection, Connection) {
    let channel = try SharedChannel(duplex: duplex)
    let (first, second) = try system_socketpair()
    let bulk: (Int32, Int32)
    do {
        bulk = try system_socketpair()
    } catch {
        system_close(first)
        system_close(second)
        throw error
    }
    system_setSocketBufferSizes(bulk.0, Connection.socketBufferSize)
    system_setSocketBufferSizes(bulk.1, Connection.socketBufferSize)
    if duplex {
        return (Connection(descriptor: first, bulkDescriptor: bulk.0, readable: true, writable: true, channel: channel,
                           end: 0, inbound: channel.rings[1], outbound: channel.rings[0]),
                Connection(descriptor: second, bulkDescriptor: bulk.1, readable: true, writable: true, channel: channel,
                           end: 1, inbound: channel.rings[0], outbound: channel.rings[1]))
    }
    // One ring, carrying what end 0 (the writer) sends to end 1 (the reader).
    return (Connection(descriptor: second, bulkDescriptor: bulk.1, readable: true, writable: false, channel: channel,
                       end: 1, inbound: channel.rings[0], outbound: nil),
            Connection(descriptor: first, bulkDescriptor: bulk.0, readable: false, writable: true, channel: channel,
                       end: 0, inbound: nil, outbound: channel.rings[0]))
}
