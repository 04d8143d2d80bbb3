import Glibc

// The fork server's control socket (see `ForkServer`): 16-byte messages.
//   pool -> server: [Int64 channel][Int64 worker number]   start a worker
//   server -> pool: [Int32 kind: 1 started, 2 exited][Int32 pid][Int32 exit code][Int32 0]

enum ForkServerMessage {
    static let size = 16

    static func writeRequest(_ socket: Int32, channel: Int, number: Int) throws {
        var bytes: [Int64] = [Int64(channel), Int64(number)]
        try bytes.withUnsafeMutableBytes { try system_writeAll(socket, isSocket: true, UnsafeRawBufferPointer($0), UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    static func writeReply(_ socket: Int32, started: Bool, pid: Int32, code: Int32) throws {
        var words: [Int32] = [started ? 1 : 2, pid, code, 0]
        try words.withUnsafeMutableBytes { try system_writeAll(socket, isSocket: true, UnsafeRawBufferPointer($0), UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// Reads one message; nil at end of stream or on an error.
    static func read(_ socket: Int32) -> [UInt8]? {
        var message = [UInt8](repeating: 0, count: size)
        var got = 0
        while got < size {
            let count = message.withUnsafeMutableBytes { raw in
                (try? system_read(socket, raw.baseAddress! + got, size - got)) ?? -1
            }
            if count <= 0 { return nil }
            got += count
        }
        return message
    }
}
