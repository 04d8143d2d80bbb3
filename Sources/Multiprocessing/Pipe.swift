/// Creates a pair of connected ``Connection``s, like Python's `multiprocessing.Pipe`.
///
/// With `duplex: true` (the default) both ends can send and receive; they are the two ends of
/// a Unix stream socket pair. With `duplex: false` the first connection only receives and the
/// second only sends, over a pipe, as Python's `(reader, writer)`.
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
/// - Throws: ``SystemError`` when the system is out of descriptors.
public func Pipe(duplex: Bool = true) throws -> (Connection, Connection) {
    if duplex {
        let (first, second) = try system_socketpair()
        system_setSocketBufferSizes(first, Connection.socketBufferSize)
        system_setSocketBufferSizes(second, Connection.socketBufferSize)
        return (Connection(descriptor: first, readable: true, writable: true, isSocket: true),
                Connection(descriptor: second, readable: true, writable: true, isSocket: true))
    }
    let (reader, writer) = try system_pipe()
    return (Connection(descriptor: reader, readable: true, writable: false, isSocket: false),
            Connection(descriptor: writer, readable: false, writable: true, isSocket: false))
}
