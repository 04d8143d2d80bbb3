/// A ``Connection`` could not send or receive: each case says what happened and what to do.
public enum ConnectionError: Error, Equatable, CustomStringConvertible {
    /// The other end was closed (by `close()` or because its process ended) and nothing is
    /// left to read. Python raises `EOFError` here.
    case endOfFile
    /// The connection was used after `close()`.
    case closed
    /// `recv` or `poll` was called on the write-only end of a one-way pipe.
    case notReadable
    /// `send` was called on the read-only end of a one-way pipe.
    case notWritable
    /// The other end was closed while this end was sending (Python's `BrokenPipeError`).
    case brokenPipe
    /// A received message is longer than the `maxLength` given to `recvBytes`; it was dropped.
    case messageTooLong(length: Int, maxLength: Int)
    /// The buffer given to `recvBytes(into:)` cannot hold the message; the message is here.
    case bufferTooShort(message: [UInt8])
    /// `offset` and `size` do not describe a range inside a buffer of `count` bytes.
    case invalidRange(offset: Int, size: Int, count: Int)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .endOfFile:
            "end of file: the other end of the connection was closed and no message is left; stop receiving, or keep the other end open"
        case .closed:
            "the connection is closed: it cannot be used after close()"
        case .notReadable:
            "the connection is write-only: receive on the other end of Pipe(duplex: false), which returns (reader, writer)"
        case .notWritable:
            "the connection is read-only: send on the other end of Pipe(duplex: false), which returns (reader, writer)"
        case .brokenPipe:
            "broken pipe: the other end was closed while sending; the message was not delivered"
        case .messageTooLong(let length, let maxLength):
            "message of \(length) bytes is longer than maxLength \(maxLength); it was dropped; pass a larger maxLength"
        case .bufferTooShort(let message):
            "the buffer is too small for the message of \(message.count) bytes; the message is attached to this error; pass a larger buffer"
        case .invalidRange(let offset, let size, let count):
            "offset \(offset) and size \(size) are outside the buffer of \(count) bytes; use 0 ≤ offset ≤ offset + size ≤ count"
        }
    }
}
