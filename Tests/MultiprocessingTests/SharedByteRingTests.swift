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

    @Test func messageLargerThanTheRingIsStreamedAcrossProcesses() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let big = [UInt8]((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let producer = Process { try ring.put(big, deadline: .forever); try ring.put([42], deadline: .forever) }
        try producer.start()
        let received = try ring.get(deadline: .forever)
        #expect(received == big)
        #expect(try ring.get(deadline: .forever) == [42])
        try producer.join()
        #expect(producer.exitCode == 0)
    }

    @Test func streamedPutWithoutReaderTimesOutAndLeavesRingUsable() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let big = [UInt8](repeating: 9, count: 20_000)
        #expect(throws: RingError.timedOut) { try ring.put(big, deadline: Deadline(timeout: 0.1)) }
        // The chunk already written fills the ring; a reader skips it (and the abort marker).
        let reader = Process {
            let message = try ring.get(deadline: Deadline(timeout: 3))
            system_exit(message == [7, 7] ? 0 : 3)
        }
        try reader.start()
        try ring.put([7, 7], deadline: Deadline(timeout: 3))
        try reader.join()
        #expect(reader.exitCode == 0)
        #expect(ring.count == 0)
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

    @Test func producerKilledMidStreamDoesNotWedgeTheRing() throws {
        let ring = try SharedByteRing(capacity: 4096)
        let big = [UInt8](repeating: 1, count: 1_000_000)
        let producer = Process { try ring.put(big, deadline: .forever) }  // blocks: nobody reads
        try producer.start()
        // Take the first chunks, then kill the producer mid-stream.
        let consumer = Process {
            let message = try ring.get(deadline: Deadline(timeout: 3))
            system_exit(message == [3, 3, 3] ? 0 : 4)
        }
        usleep(50_000)
        try consumer.start()
        usleep(50_000)
        try producer.kill()
        try producer.join()
        try ring.put([3, 3, 3], deadline: Deadline(timeout: 2))
        try consumer.join()
        #expect(consumer.exitCode == 0)
    }
}
