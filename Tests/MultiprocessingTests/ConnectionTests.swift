import Glibc
import Testing
@testable import Multiprocessing

/// The number of open descriptors of the calling process.
func openDescriptorCount() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while readdir(directory) != nil { count += 1 }
    return count - 3  // ".", ".." and the directory's own descriptor
}

/// Runs `body` in a forked child and expects it to exit with 0 (a thrown error exits with 1).
func inChild(_ body: @escaping () throws -> Void) throws -> Int32? {
    let child = Process(target: body)
    try child.start()
    try child.join()
    return child.exitCode
}

/// The kinds of connection pair: the two shapes of `Pipe`, and plain descriptors as the
/// manager wraps them.
enum PairKind: String, CaseIterable, Sendable {
    case duplex, simplex, socket, pipe

    /// (receiving end, sending end).
    func make() throws -> (Connection, Connection) {
        switch self {
        case .duplex: return try Pipe()
        case .simplex: return try Pipe(duplex: false)
        case .socket:
            let (a, b) = try system_socketpair()
            return (Connection(descriptor: a, readable: true, writable: true),
                    Connection(descriptor: b, readable: true, writable: true))
        case .pipe:
            let (r, w) = try system_pipe()
            return (Connection(descriptor: r, readable: true, writable: false),
                    Connection(descriptor: w, readable: false, writable: true))
        }
    }
}

struct Job: Codable, Equatable {
    var id: Int
    var words: [String]
    var weights: [Double]
    var note: String?
}

@Suite("Connection", .serialized)
struct ConnectionTests {
    // MARK: Across processes

    @Test(arguments: PairKind.allCases)
    func sendAndReceiveAcrossAFork(kind: PairKind) throws {
        let (toParent, fromChild) = try kind.make()
        let (fromParent, toChild) = try kind.make()
        let child = Process {
            let job = try fromParent.recv(Job.self)
            try fromChild.send(Job(id: job.id + 1, words: job.words.reversed(), weights: job.weights.map { $0 * 2 }, note: "done"))
            for value in 0..<10_000 { try fromChild.send(value) }
            // Small and large messages keep their order (large ones take another path).
            for size in [10, 70_000, 3, 1 << 20, 0, 65_536, 65_537] {
                try fromChild.sendBytes([UInt8](repeating: UInt8(size % 251), count: size))
                try fromChild.send(size)
            }
        }
        try child.start()
        let job = Job(id: 41, words: ["a", "b"], weights: [1.5], note: nil)
        try toChild.send(job)
        let reply = try toParent.recv(Job.self)
        #expect(reply == Job(id: 42, words: ["b", "a"], weights: [3.0], note: "done"))
        var expected = 0
        for _ in 0..<10_000 {
            let value = try toParent.recv(Int.self)
            #expect(value == expected)
            expected += 1
        }
        for size in [10, 70_000, 3, 1 << 20, 0, 65_536, 65_537] {
            #expect(try toParent.recvBytes() == [UInt8](repeating: UInt8(size % 251), count: size))
            #expect(try toParent.recv(Int.self) == size)
        }
        try child.join()
        #expect(child.exitCode == 0)
    }

    @Test func duplexEndsBothSendAndReceive() throws {
        let (left, right) = try Pipe()
        try left.send("ping")
        #expect(try right.recv(String.self) == "ping")
        try right.send([1, 2, 3])
        #expect(try left.recv([Int].self) == [1, 2, 3])
        #expect(left.readable && left.writable && right.readable && right.writable)
    }

    @Test func simplexEndsRefuseTheWrongDirection() throws {
        let (reader, writer) = try Pipe(duplex: false)
        #expect(reader.readable && !reader.writable)
        #expect(writer.writable && !writer.readable)
        #expect(throws: ConnectionError.notWritable) { try reader.send(1) }
        #expect(throws: ConnectionError.notWritable) { try reader.sendBytes([1]) }
        #expect(throws: ConnectionError.notReadable) { try writer.recv(Int.self) }
        #expect(throws: ConnectionError.notReadable) { try writer.poll() }
        #expect(throws: ConnectionError.notReadable) { try wait([writer], timeout: 0) }
        try writer.send(7)
        #expect(try reader.recv(Int.self) == 7)
    }

    // MARK: End of file

    @Test(arguments: PairKind.allCases)
    func endOfFileAfterThePeerCloses(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        try writer.send("last")
        try writer.close()
        #expect(try reader.poll())
        #expect(try reader.recv(String.self) == "last")
        #expect(try reader.poll())  // end-of-file is "ready" too, as in Python
        #expect(throws: ConnectionError.endOfFile) { try reader.recv(String.self) }
        #expect(throws: ConnectionError.endOfFile) { try reader.recvBytes() }
    }

    @Test(arguments: PairKind.allCases)
    func endOfFileWhenThePeerProcessExits(kind: PairKind) throws {
        let (parentEnd, childEnd) = try kind.make()
        let child = Process {
            try parentEnd.close()
            try childEnd.send(1)
            try childEnd.send(2)
            // Exits without closing: the kernel closes the descriptor.
        }
        try child.start()
        try childEnd.close()
        #expect(try parentEnd.recv(Int.self) == 1)
        #expect(try parentEnd.recv(Int.self) == 2)
        #expect(throws: ConnectionError.endOfFile) { try parentEnd.recv(Int.self) }
        try child.join()
        #expect(child.exitCode == 0)
    }

    @Test func endOfFileWhenThePeerIsKilledMidWait() throws {
        let (parentEnd, childEnd) = try Pipe(duplex: false)
        let child = Process { sleep(30) }
        try child.start()
        try childEnd.close()
        try child.kill()
        #expect(throws: ConnectionError.endOfFile) { try parentEnd.recv(Int.self) }
        try child.join()
        #expect(child.exitCode == -SIGKILL)
    }

    @Test(arguments: PairKind.allCases)
    func sendingToAClosedPeerThrowsInsteadOfKillingTheProcess(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        try reader.close()
        #expect(throws: ConnectionError.brokenPipe) { try writer.send(1) }
        #expect(throws: ConnectionError.brokenPipe) { try writer.sendBytes([UInt8](repeating: 1, count: 1 << 20)) }
    }

    @Test(arguments: PairKind.allCases)
    func sendingToAReaderThatExitedFailsInsteadOfHanging(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        let child = Process { _ = try reader.recv(Int.self) }  // exits without closing
        try child.start()
        try reader.close()
        try writer.send(1)
        try child.join()
        var sent = 0
        #expect(throws: ConnectionError.brokenPipe) {
            // Buffers (the kernel's, or a shared ring) may take a few before the error shows.
            while sent < 1_000_000 {
                try writer.send(sent)
                sent += 1
            }
        }
        #expect(sent < 1_000_000)
    }

    @Test(arguments: [PairKind.duplex, .simplex])
    func aFullRingMakesTheSenderWait(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        let child = Process {
            try reader.close()
            let payload = [UInt8](repeating: 7, count: 1000)
            for index in 0..<5_000 {  // 5 MB: many times the ring
                try writer.sendBytes(payload)
                try writer.send(index)
            }
        }
        try child.start()
        try writer.close()
        usleep(50_000)  // let the sender fill the ring and go to sleep
        for index in 0..<5_000 {
            #expect(try reader.recvBytes().count == 1000)
            #expect(try reader.recv(Int.self) == index)
        }
        #expect(throws: ConnectionError.endOfFile) { try reader.recv(Int.self) }
        try child.join()
        #expect(child.exitCode == 0)
    }

    @Test(arguments: [PairKind.duplex, .simplex])
    func aSleepingReceiverIsWoken(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        let child = Process {
            for round in 0..<5 {
                usleep(20_000)  // long enough for the receiver to stop spinning and sleep
                try writer.send(round)
            }
        }
        try child.start()
        for round in 0..<5 { #expect(try reader.recv(Int.self) == round) }
        try child.join()
    }

    @Test(arguments: [PairKind.duplex, .socket])
    func pingPongBothWays(kind: PairKind) throws {
        let (parentEnd, childEnd) = try kind.make()
        let child = Process {
            try parentEnd.close()  // else the child's own copy keeps the parent's end open
            while true {
                guard let value = try? childEnd.recv([Int].self) else { return }  // end-of-file: done
                try childEnd.send(value.map { $0 + 1 })
            }
        }
        try child.start()
        try childEnd.close()
        for round in 0..<5_000 {
            let message = round % 1000 == 999 ? [Int](repeating: round, count: 20_000) : [round]
            try parentEnd.send(message)
            #expect(try parentEnd.recv([Int].self) == message.map { $0 + 1 })
        }
        try parentEnd.close()
        try child.join()
        #expect(child.exitCode == 0)
    }

    // MARK: Polling and waiting

    @Test func pollHonoursItsTimeout() throws {
        let (a, b) = try Pipe()
        #expect(try !a.poll())
        #expect(try !a.poll(timeout: 0.05))
        try b.send(1)
        #expect(try a.poll(timeout: nil))
        #expect(try a.recv(Int.self) == 1)
        let child = Process {
            usleep(50_000)
            try b.send(2)
        }
        try child.start()
        #expect(try a.poll(timeout: nil))
        #expect(try a.recv(Int.self) == 2)
        try child.join()
    }

    @Test func waitReturnsTheReadyConnectionsInOrder() throws {
        let pipes = try (0..<4).map { _ in try Pipe() }
        let readers = pipes.map(\.0)
        #expect(try wait(readers, timeout: 0.02).isEmpty)
        try pipes[3].1.send(3)
        try pipes[1].1.send(1)
        let ready = try wait(readers, timeout: 1)
        #expect(ready.count == 2 && ready[0] === readers[1] && ready[1] === readers[3])

        // A message read ahead into the buffer still counts as ready.
        try pipes[2].1.send(20)
        try pipes[2].1.send(21)
        #expect(try readers[2].recv(Int.self) == 20)
        let buffered = try wait([readers[0], readers[2]], timeout: 1)
        #expect(buffered.count == 1 && buffered[0] === readers[2])

        // A child that sends later wakes a wait with no timeout.
        let child = Process {
            usleep(30_000)
            try pipes[0].1.send(0)
        }
        try child.start()
        let woken = try wait([readers[0]], timeout: nil)
        #expect(woken.count == 1 && woken[0] === readers[0])
        try child.join()

        // Shared-ring and plain-descriptor connections wait together.
        let plain = try PairKind.socket.make()
        let mixed = [readers[1], plain.0]
        #expect(try wait([plain.0], timeout: 0.01).isEmpty)
        let late = Process {
            usleep(30_000)
            try plain.1.send("plain")
        }
        try late.start()
        #expect(try readers[1].recv(Int.self) == 1)
        let first = try wait(mixed, timeout: 5)
        #expect(first.count == 1 && first[0] === plain.0)
        #expect(try plain.0.recv(String.self) == "plain")
        try late.join()
    }

    @Test func waitOnProcessSentinels() throws {
        let quick = Process { }
        let slow = Process { sleep(30) }
        try quick.start()
        try slow.start()
        let sentinels = [quick.sentinel!, slow.sentinel!]
        let ended = try wait(sentinels: sentinels, timeout: 5)
        #expect(ended == [sentinels[0]])
        try slow.kill()
        try slow.join()
        try quick.join()
    }

    // MARK: Sizes

    @Test(arguments: PairKind.allCases)
    func hundredMegabyteMessages(kind: PairKind) throws {
        let size = 100 * 1024 * 1024
        let (reader, writer) = try kind.make()
        let child = Process {
            try reader.close()
            var bytes = [UInt8](repeating: 0, count: size)
            for index in stride(from: 0, to: size, by: 4096) { bytes[index] = UInt8(truncatingIfNeeded: index / 4096) }
            bytes[size - 1] = 0xEE
            try writer.sendBytes(bytes)
            try writer.send(bytes)  // the same through the codec
            try writer.send("after")
        }
        try child.start()
        try writer.close()
        for round in 0..<2 {
            let received = round == 0 ? try reader.recvBytes() : try reader.recv([UInt8].self)
            #expect(received.count == size)
            var wrong = 0
            for index in stride(from: 0, to: size, by: 4096) where received[index] != UInt8(truncatingIfNeeded: index / 4096) {
                wrong += 1
            }
            #expect(wrong == 0)
            #expect(received[size - 1] == 0xEE)
        }
        #expect(try reader.recv(String.self) == "after")
        try child.join()
        #expect(child.exitCode == 0)
    }

    @Test func recvBytesVariants() throws {
        let (a, b) = try Pipe()
        try b.sendBytes([1, 2, 3, 4, 5], offset: 1, size: 3)
        #expect(try a.recvBytes() == [2, 3, 4])
        try b.sendBytes([])
        #expect(try a.recvBytes() == [])
        #expect(throws: ConnectionError.invalidRange(offset: 4, size: 3, count: 5)) { try b.sendBytes([1, 2, 3, 4, 5], offset: 4, size: 3) }
        #expect(throws: ConnectionError.invalidRange(offset: -1, size: 6, count: 5)) { try b.sendBytes([1, 2, 3, 4, 5], offset: -1) }

        try b.sendBytes([UInt8](repeating: 9, count: 100))
        #expect(throws: ConnectionError.messageTooLong(length: 100, maxLength: 10)) { try a.recvBytes(maxLength: 10) }
        try b.sendBytes([7, 8])
        var storage = [UInt8](repeating: 0, count: 4)
        let count = try storage.withUnsafeMutableBytes { try a.recvBytes(into: $0, offset: 1) }
        #expect(count == 2 && storage == [0, 7, 8, 0])
        try b.sendBytes([1, 2, 3, 4])
        #expect(throws: ConnectionError.bufferTooShort(message: [1, 2, 3, 4])) {
            try storage.withUnsafeMutableBytes { try a.recvBytes(into: $0, offset: 2) }
        }
        // Each error left the stream at a message boundary.
        try b.send("still in step")
        #expect(try a.recv(String.self) == "still in step")
    }

    @Test func aMessageOfTheWrongTypeIsConsumed() throws {
        let (a, b) = try Pipe()
        try b.send("text")
        try b.send(5)
        #expect(throws: CodecError.typeMismatch(expected: "Int", found: "String", path: "top level")) { try a.recv(Int.self) }
        #expect(try a.recv(Int.self) == 5)
    }

    @Test(arguments: PairKind.allCases)
    func manyWritersShareOneEnd(kind: PairKind) throws {
        let (reader, writer) = try kind.make()
        let producers = (0..<4).map { id in
            Process {
                for sequence in 0..<2_000 { try writer.send([id, sequence]) }
            }
        }
        for producer in producers { try producer.start() }
        try writer.close()
        var next = [Int](repeating: 0, count: 4)
        while let message = try? reader.recv([Int].self) {
            #expect(message[1] == next[message[0]])
            next[message[0]] += 1
        }
        #expect(next == [2_000, 2_000, 2_000, 2_000])
        for producer in producers {
            try producer.join()
            #expect(producer.exitCode == 0)
        }
    }

    // MARK: Misuse and cleanup

    @Test func aClosedConnectionRefusesEverything() throws {
        let (a, b) = try Pipe()
        try a.close()
        try a.close()  // closing twice is fine
        #expect(a.closed && !b.closed)
        #expect(throws: ConnectionError.closed) { try a.send(1) }
        #expect(throws: ConnectionError.closed) { try a.sendBytes([1]) }
        #expect(throws: ConnectionError.closed) { try a.recv(Int.self) }
        #expect(throws: ConnectionError.closed) { try a.recvBytes() }
        #expect(throws: ConnectionError.closed) { try a.poll() }
        #expect(throws: ConnectionError.closed) { try a.fileno() }
        #expect(throws: ConnectionError.closed) { try wait([a, b], timeout: 0) }
        #expect(String(describing: ConnectionError.closed).contains("close()"))
        #expect(String(describing: a) == "<Connection closed>")
    }

    @Test func noDescriptorIsLeaked() throws {
        // Counted in a child: it has no other threads opening descriptors meanwhile.
        let code = try inChild {
            let before = openDescriptorCount()
            for round in 0..<50 {
                let (a, b) = try Pipe(duplex: round % 2 == 0)
                try b.send(round)
                _ = try a.recv(Int.self)
                if round % 3 == 0 { try a.close(); try b.close() }  // others: released by deinit
            }
            let (a, b) = try Pipe()
            let child = Process { try b.send(1) }
            try child.start()
            _ = try a.recv(Int.self)
            try child.join()
            try child.close()
            try a.close()
            try b.close()
            let after = openDescriptorCount()
            if before != after { throw ConnectionError.invalidRange(offset: before, size: after, count: 0) }
        }
        #expect(code == 0)
    }
}
