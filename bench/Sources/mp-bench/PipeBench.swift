import Multiprocessing

/// Pipe workloads (issue 2). Both use `Pipe()` (duplex, the default, as in Python).
enum PipeBench {
    static let workloads = [
        Workload(name: "pipe-small") { try smallMessages() },
        Workload(name: "pipe-bandwidth") { try bandwidth() },
    ]

    /// Small ints sent by a child with `send`, received by the parent; messages per second.
    static func smallMessages(count: Int = 500_000) throws {
        let (reader, writer) = try Pipe()
        let (goReader, goWriter) = try Pipe(duplex: false)
        let child = Process {
            try reader.close()
            _ = try goReader.recv(Int.self)
            for i in 0..<count { try writer.send(i) }
            try writer.close()
        }
        try child.start()
        try writer.close()
        let t0 = now()
        try goWriter.send(1)
        var sum = 0
        for _ in 0..<count { sum &+= try reader.recv(Int.self) }
        let elapsed = now() - t0
        try child.join()
        try check(sum == count * (count - 1) / 2, "wrong sum \(sum)")
        emit(Double(count) / elapsed, "msgs/s")
    }

    /// 1 MiB chunks sent with `sendBytes`, received with `recvBytes`; GB/s.
    static func bandwidth(chunks: Int = 1024) throws {
        let chunk = 1 << 20
        let (reader, writer) = try Pipe()
        let (goReader, goWriter) = try Pipe(duplex: false)
        let child = Process {
            try reader.close()
            let data = [UInt8](repeating: 0xAB, count: chunk)
            _ = try goReader.recv(Int.self)
            for _ in 0..<chunks { try writer.sendBytes(data) }
            try writer.close()
        }
        try child.start()
        try writer.close()
        let t0 = now()
        try goWriter.send(1)
        var received = 0
        for _ in 0..<chunks { received += try reader.recvBytes().count }
        let elapsed = now() - t0
        try child.join()
        try check(received == chunks * chunk, "received \(received) bytes")
        emit(Double(received) / elapsed / 1e9, "GB/s")
    }
}
