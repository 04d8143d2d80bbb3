import Glibc
import Testing
@testable import Multiprocessing

private struct Order: Codable, Equatable {
    var id: Int
    var customer: String
    var lines: [Double]
}

/// Entries of a directory (for leak checks of /proc/self/fd and /dev/shm).
private func entries(of path: String) -> Set<String> {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: Set<String> = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name != "." && name != ".." { names.insert(name) }
    }
    return names
}

@Suite("Queue", .serialized)
struct QueueTests {
    @Test func itemsCrossProcessesInOrder() throws {
        let queue = try Queue<Order>()
        let producer = Process {
            for id in 0..<100 { try queue.put(Order(id: id, customer: "c\(id)", lines: [Double(id), 0.5])) }
        }
        try producer.start()
        for id in 0..<100 {
            #expect(try queue.get(timeout: 4) == Order(id: id, customer: "c\(id)", lines: [Double(id), 0.5]))
        }
        try producer.join()
        #expect(producer.exitCode == 0)
        #expect(queue.empty())
    }

    @Test func optionalItemsCarryANoneSentinel() throws {
        let queue = try Queue<Int?>()
        let producer = Process {
            for item in 0..<5 { try queue.put(item) }
            try queue.put(nil)
        }
        try producer.start()
        var received: [Int] = []
        while let item = try queue.get(timeout: 4) { received.append(item) }
        try producer.join()
        #expect(received == [0, 1, 2, 3, 4])
    }

    @Test func emptyAndFullWithTimeouts() throws {
        let queue = try Queue<Int>(maxSize: 2)
        #expect(queue.empty())
        #expect(throws: QueueError.empty) { try queue.get(timeout: 0.05) }
        #expect(throws: QueueError.empty) { try queue.getNowait() }
        try queue.put(1)
        try queue.putNowait(2)
        #expect(queue.full())
        #expect(queue.qsize() == 2)
        #expect(throws: QueueError.full) { try queue.put(3, timeout: 0.05) }
        #expect(throws: QueueError.full) { try queue.putNowait(3) }
        #expect(try queue.get() == 1)
        try queue.put(3, block: false)
        #expect(try queue.get() == 2)
        #expect(try queue.get() == 3)
        #expect(throws: QueueError.invalidMaxSize(-1)) { try Queue<Int>(maxSize: -1) }
    }

    @Test func blockedPutResumesWhenAConsumerMakesRoom() throws {
        let queue = try Queue<String>(maxSize: 1)
        try queue.put("first")
        let consumer = Process {
            usleep(50_000)
            system_exit(try queue.get(timeout: 4) == "first" ? 0 : 3)
        }
        try consumer.start()
        try queue.put("second", timeout: 4)  // waits for the consumer
        try consumer.join()
        #expect(consumer.exitCode == 0)
        #expect(try queue.get() == "second")
    }

    @Test func fourProducersTwoConsumersLoseNothingAndKeepOrder() throws {
        let producers = 4, perProducer = 25_000, consumers = 2
        let queue = try Queue<[Int]>()
        let tallies = try SharedArray<Int>(repeating: 0, count: consumers * producers * 2, lock: false)
        let consumerProcesses = (0..<consumers).map { c in
            Process {
                var last = [Int](repeating: -1, count: producers)
                while true {
                    let item = try queue.get()
                    if item.isEmpty { break }
                    let (p, seq) = (item[0], item[1])
                    if seq <= last[p] { system_exit(2) }  // duplicated or out of order
                    last[p] = seq
                    tallies[(c * producers + p) * 2] += 1
                    tallies[(c * producers + p) * 2 + 1] += seq
                }
            }
        }
        let producerProcesses = (0..<producers).map { p in
            Process { for seq in 0..<perProducer { try queue.put([p, seq]) } }
        }
        for process in consumerProcesses + producerProcesses { try process.start() }
        for process in producerProcesses { try process.join() }
        for _ in 0..<consumers { try queue.put([]) }
        for process in consumerProcesses { try process.join() }
        #expect((consumerProcesses + producerProcesses).allSatisfy { $0.exitCode == 0 })
        for p in 0..<producers {
            let count = (0..<consumers).reduce(0) { $0 + tallies[($1 * producers + p) * 2] }
            let sum = (0..<consumers).reduce(0) { $0 + tallies[($1 * producers + p) * 2 + 1] }
            #expect(count == perProducer)
            #expect(sum == perProducer * (perProducer - 1) / 2)
        }
        #expect(queue.empty())
    }

    @Test func itemLargerThanTheRingArrivesWhole() throws {
        let queue = try Queue<[UInt8]>(maxSize: 1)  // a 64 KiB ring
        let big = [UInt8]((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let producer = Process { try queue.put(big); try queue.put([1]) }
        try producer.start()
        #expect(try queue.get(timeout: 4) == big)
        #expect(try queue.get(timeout: 4) == [1])
        try producer.join()
        #expect(producer.exitCode == 0)
    }

    @Test func joinableQueueJoinWaitsForEveryTask() throws {
        let tasks = try JoinableQueue<Int>()
        let total = try Value<Int>(0)
        let done = try Value<Int>(0)
        let workers = (0..<2).map { _ in
            Process {
                while true {
                    let n = try tasks.get()
                    if n < 0 { try tasks.taskDone(); break }
                    usleep(100)
                    total.getLock().withLock { total.value += n; done.value += 1 }
                    try tasks.taskDone()
                }
            }
        }
        for worker in workers { try worker.start() }
        for n in 1...200 { try tasks.put(n) }
        try tasks.join()
        #expect(done.value == 200)  // join returned only after the last taskDone
        #expect(total.value == 200 * 201 / 2)
        try tasks.put(-1)
        try tasks.put(-1)
        for worker in workers { try worker.join() }
        #expect(workers.allSatisfy { $0.exitCode == 0 })
        try tasks.join()
        #expect(throws: QueueError.taskDoneTooManyTimes) { try tasks.taskDone() }
    }

    @Test func closedQueueRefusesUse() throws {
        let queue = try Queue<Int>()
        try queue.put(1)
        queue.close()
        #expect(throws: QueueError.closed) { try queue.put(2) }
        #expect(throws: QueueError.closed) { try queue.get() }
        let simple = try SimpleQueue<String>()
        let child = Process { try simple.put("from child") }
        try child.start()
        #expect(try simple.get() == "from child")
        try child.join()
        #expect(simple.empty())
        simple.close()
        #expect(throws: QueueError.closed) { try simple.put("x") }
    }

    @Test func consumerKilledWhileWaitingDoesNotWedgeTheQueue() throws {
        let queue = try Queue<Int>()
        let stuck = Process { _ = try queue.get() }  // waits holding the consumers' lock
        try stuck.start()
        usleep(50_000)
        try stuck.kill()
        try stuck.join()
        try queue.put(7)
        #expect(try queue.get(timeout: 3) == 7)
    }

    @Test func producerKilledWhileWaitingForRoomDoesNotWedgeTheQueue() throws {
        let queue = try Queue<Int>(maxSize: 1)
        try queue.put(1)
        let stuck = Process { try queue.put(2) }  // waits for room holding the producers' lock
        try stuck.start()
        usleep(50_000)
        try stuck.kill()  // not joined: a zombie until later
        #expect(try queue.get(timeout: 3) == 1)
        try queue.put(3, timeout: 3)
        #expect(try queue.get(timeout: 3) == 3)
        try stuck.join()
        #expect(queue.empty())
    }

    @Test func nothingLeaksIntoFileDescriptorsOrDevShm() throws {
        let fdsBefore = entries(of: "/proc/self/fd")
        let shmBefore = entries(of: "/dev/shm")
        do {
            let queue = try JoinableQueue<String>(maxSize: 4)
            let lock = try Lock()
            let counter = try Value<Int32>(0)
            let event = try Event()
            let barrier = try Barrier(parties: 2)
            let child = Process {
                try queue.put("hello")
                lock.withLock { counter.value += 1 }
                event.set()
                _ = try barrier.wait(timeout: 4)
            }
            try child.start()
            #expect(try queue.get(timeout: 4) == "hello")
            try queue.taskDone()
            _ = try barrier.wait(timeout: 4)
            try child.join()
            #expect(event.isSet())
            #expect(counter.value == 1)
        }
        #expect(entries(of: "/proc/self/fd").count <= fdsBefore.count)
        #expect(entries(of: "/dev/shm") == shmBefore)
    }
}
