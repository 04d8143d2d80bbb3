import Glibc
import Testing
@testable import Multiprocessing

@Suite("SharedByteRing", .serialized)
struct SharedByteRingTests {
    @Test func putThenGetKeepsOrderAndWrapsAround() throws {
        let ring = try SharedByteRing(capacity: 4096)
        // 3000 messages of varying size through a 4 KiB ring: records wrap many times.
        for round in 0..<3000 {
            let message = [UInt8]((0..<(round % 97)).map { UInt8(truncatingIfNeeded: $0 &+ round) })
            try ring.put(message, deadline: .forever)
            #expect(ring.count == 1)
            #expect(try ring.get(deadline: .forever) == message)
        }
        #expect(ring.count == 0)
    }

    @Test func emptyAndFullTimeOut() throws {
        let ring = try SharedByteRing(capacity: 4096, maxMessages: 2)
        #expect(throws: RingError.timedOut) { try ring.get(deadline: Deadline(timeout: 0.05)) }
        try ring.put([1], deadline: .forever)
        try ring.put([2], deadline: .forever)
        #expect(throws: RingError.timedOut) { try ring.put([3], deadline: Deadline(timeout: 0.05)) }
        #expect(ring.count == 2)
        #expect(try ring.get(deadline: .forever) == [1])
        #expect(try [UInt8]([3]).withUnsafeBytes { try ring.tryPut($0) })
        #expect(try ![UInt8]([4]).withUnsafeBytes { try ring.tryPut($0) })
        #expect(try ring.tryGet() == [2])
        #expect(try ring.tryGet() == [3])
        #expect(try ring.tryGet() == nil)
        ring.close()
        #expect(throws: RingError.closed) { try ring.get(deadline: .forever) }
        #expect(throws: RingError.closed) { try ring.put([4], deadline: .forever) }
    }

    /// The segments of rings created by process `pid` still in /dev/shm.
    private func segments(of pid: Int32) -> [String] {
        system_directoryEntries(sharedSegmentDirectory, prefix: "learn-mp-\(pid)-")
    }

    @Test func messageLargerThanTheRingTravelsInASegmentAcrossProcesses() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let big = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let producer = Process { try ring.put(big, deadline: .forever); try ring.put([42], deadline: .forever) }
        try producer.start()
        let received = try ring.get(deadline: .forever)
        #expect(received == big)
        #expect(try ring.get(deadline: .forever) == [42])
        try producer.join()
        #expect(producer.exitCode == 0)
        #expect(segments(of: getpid()).isEmpty)  // taken, so removed
    }

    @Test func largeMessageWithoutReaderDoesNotWaitAndKeepsOrder() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let big = [UInt8](repeating: 9, count: 20_000)
        try ring.put([1], deadline: Deadline(timeout: 0))
        try ring.put(big, deadline: Deadline(timeout: 0))  // no reader, and it returns at once
        try ring.put([7, 7], deadline: Deadline(timeout: 0))
        #expect(ring.count == 3)
        #expect(try ring.get(deadline: .forever) == [1])
        #expect(try ring.get(deadline: .forever) == big)
        #expect(try ring.get(deadline: .forever) == [7, 7])
        #expect(ring.count == 0)
        #expect(segments(of: getpid()).isEmpty)
    }

    @Test func untakenSegmentsAreRemovedWhenTheCreatingProcessExits() throws {
        let child = Process {
            let ring = try SharedByteRing(capacity: 4096)
            try ring.put([UInt8](repeating: 3, count: 50_000), deadline: .forever)  // never taken
            if self.segments(of: getpid()).count != 1 { system_exit(4) }
        }
        try child.start()
        try child.join()
        #expect(child.exitCode == 0)
        #expect(segments(of: child.pid!).isEmpty)
    }

    @Test func consumerWakesWhenDataArrives() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let child = Process {
            let message = try ring.get(deadline: Deadline(timeout: 4))
            system_exit(message == [5, 6] ? 0 : 3)
        }
        try child.start()
        usleep(100_000)  // let the child fall asleep on the futex
        try ring.put([5, 6], deadline: .forever)
        try child.join()
        #expect(child.exitCode == 0)
    }

    @Test func manyProducersManyConsumersLoseNothing() throws {
        let producers = 4, perProducer = 25_000, consumers = 2
        let ring = try SharedByteRing(capacity: 1 << 16)
        let results = try SharedRegion(size: 4096)
        // per consumer, per producer: count and sum of sequence numbers
        let tallies = results.allocate(Int64.self, count: consumers * producers * 2)
        var processes: [Process] = []
        for c in 0..<consumers {
            processes.append(Process {
                var last = [Int](repeating: -1, count: producers)
                while true {
                    let message = try ring.get(deadline: .forever)
                    if message.isEmpty { break }
                    let p = Int(message[0])
                    let seq = message[1...].withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) }
                    if seq <= last[p] { system_exit(2) }  // out of order or duplicated
                    last[p] = seq
                    tallies[(c * producers + p) * 2] += 1
                    tallies[(c * producers + p) * 2 + 1] += Int64(seq)
                }
            })
        }
        for p in 0..<producers {
            processes.append(Process {
                var message = [UInt8](repeating: UInt8(p), count: 5 + p * 3)
                for seq in 0..<perProducer {
                    message.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(seq), toByteOffset: 1, as: UInt32.self) }
                    try ring.put(message, deadline: .forever)
                }
            })
        }
        for process in processes { try process.start() }
        for process in processes[consumers...] { try process.join() }
        for _ in 0..<consumers { try ring.put([], deadline: .forever) }
        for process in processes[..<consumers] { try process.join() }
        for process in processes { #expect(process.exitCode == 0) }
        for p in 0..<producers {
            let count = (0..<consumers).reduce(0) { $0 + tallies[($1 * producers + p) * 2] }
            let sum = (0..<consumers).reduce(0) { $0 + tallies[($1 * producers + p) * 2 + 1] }
            #expect(count == Int64(perProducer))
            #expect(sum == Int64(perProducer * (perProducer - 1) / 2))
        }
        #expect(ring.count == 0)
    }
}
