import Multiprocessing

/// Pipe workloads (issue 2). Both use `Pipe()` (duplex, the default, as in Python).
enum PipeBench {
    static let workloads = [
        Workload(name: "pipe-small") { try smallMessages() },
        Workload(name: "pipe-bandwidth") { try bandwidth() },
        Workload(name: "pipe-rtt") { try roundTrip() },
    ]

    /// Small ints sent by a child with `send`, received by the parent; messages per second.
    static func smallMessages(count: Int = 500_000) throws {
        let (reader, writer) = try Pipe()
        var sum = 0
        let elapsed = try released {
            try reader.close()
            for i in 0..<count { try writer.send(i) }
            try writer.close()
        } afterStart: {
            try writer.close()
        } receive: {
            for _ in 0..<count { sum &+= try reader.recv(Int.self) }
        }
        try check(sum == count * (count - 1) / 2, "wrong sum \(sum)")
        emit(Double(count) / elapsed, "msgs/s")
    }

    /// 1 MiB chunks sent with `sendBytes`, received with `recvBytes`; GB/s.
    static func bandwidth(chunks: Int = 1024) throws {
        let chunk = 1 << 20
        let (reader, writer) = try Pipe()
        let data = [UInt8](repeating: 0xAB, count: chunk)
        var received = 0
        let elapsed = try released {
            try reader.close()
            for _ in 0..<chunks { try writer.sendBytes(data) }
            try writer.close()
        } afterStart: {
            try writer.close()
        } receive: {
            for _ in 0..<chunks { received += try reader.recvBytes().count }
        }
        try check(received == chunks * chunk, "received \(received) bytes")
        emit(Double(received) / elapsed / 1e9, "GB/s")
    }

    /// A small int to a child and back through `Pipe()`; microseconds per round trip (what
    /// one call to a Manager costs at least).
    static func roundTrip(rounds: Int = 20_000) throws {
        let (mine, theirs) = try Pipe()
        let child = Process {
            try mine.close()
            while true {
                let value: Int
                do { value = try theirs.recv(Int.self) } catch ConnectionError.endOfFile { return }
                try theirs.send(value)
            }
        }
        try child.start()
        try theirs.close()
        for i in 0..<100 { try mine.send(i); _ = try mine.recv(Int.self) }
        let t0 = now()
        for i in 0..<rounds {
            try mine.send(i)
            try check(try mine.recv(Int.self) == i, "wrong echo")
        }
        let elapsed = now() - t0
        try mine.close()
        try child.join()
        try check(child.exitCode == 0, "the echo child failed")
        emit(elapsed / Double(rounds) * 1e6, "us")
    }
}
