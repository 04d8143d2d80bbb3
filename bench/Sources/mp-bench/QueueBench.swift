import Multiprocessing

/// Queue workloads (issue 2): a producer process puts, the parent gets.
enum QueueBench {
    static let workloads = [
        Workload(name: "queue-small") { try smallInts() },
        Workload(name: "queue-1k") { try kilobyteMessages() },
        Workload(name: "queue-50mb") { try fiftyMegabyteItems() },
    ]

    /// Small ints; messages per second.
    static func smallInts(count: Int = 1_000_000) throws {
        let queue = try Queue<Int>()
        var sum = 0
        let elapsed = try transfer(queue, count: count, make: { $0 }) { sum &+= $0 }
        try check(sum == count * (count - 1) / 2, "wrong sum \(sum)")
        emit(Double(count) / elapsed, "msgs/s")
    }

    /// 1 KiB byte arrays; messages per second.
    static func kilobyteMessages(count: Int = 500_000) throws {
        let queue = try Queue<[UInt8]>()
        let payload = [UInt8](repeating: 120, count: 1024)
        var bytes = 0
        let elapsed = try transfer(queue, count: count, make: { _ in payload }) { bytes += $0.count }
        try check(bytes == count * 1024, "received \(bytes) bytes")
        emit(Double(count) / elapsed, "msgs/s")
    }

    /// 50 MB byte arrays, each larger than the queue's ring; milliseconds per item.
    static func fiftyMegabyteItems(count: Int = 5) throws {
        let queue = try Queue<[UInt8]>()
        let payload = [UInt8](repeating: 120, count: 50_000_000)
        var bytes = 0
        let elapsed = try transfer(queue, count: count, make: { _ in payload }) { bytes += $0.count }
        try check(bytes == count * payload.count, "received \(bytes) bytes")
        emit(elapsed / Double(count) * 1e3, "ms")
    }

    /// A child puts `count` items made by `make`; the parent gets them all and hands each to
    /// `consume`. Returns the seconds from release to the last item.
    static func transfer<T>(
        _ queue: Queue<T>, count: Int, make: @escaping (Int) -> T, consume: (T) -> Void
    ) throws -> Double {
        try released {
            for i in 0..<count { try queue.put(make(i)) }
        } receive: {
            for _ in 0..<count { consume(try queue.get()) }
        }
    }
}
