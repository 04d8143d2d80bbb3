import Glibc
import Multiprocessing

/// 队列里的一项：Python 的元组 (producer_id, item)
struct Produced: Codable {
    var producerId: Int
    var item: Int
}

func producer(_ queue: Queue<Produced>, _ stopEvent: Event, _ producerId: Int) throws {
    // 生产者
    while !stopEvent.isSet() {
        let item = Int.random(in: 1...100)
        try queue.put(Produced(producerId: producerId, item: item))
        print("Producer \(producerId) produced: \(item)")
        usleep(UInt32.random(in: 100_000...500_000))
    }
}

func consumer(_ queue: Queue<Produced>, _ stopEvent: Event, _ consumerId: Int) throws {
    // 消费者
    while !stopEvent.isSet() || !queue.empty() {
        do {
            let got = try queue.get(timeout: 1)
            print("Consumer \(consumerId) consumed: \(got.item) from Producer \(got.producerId)")
            usleep(UInt32.random(in: 200_000...400_000))
        } catch QueueError.empty {
            continue
        }
    }
}

let queue = try Queue<Produced>(maxSize: 10)
let stopEvent = try Event()

// 创建生产者和消费者
let producers = (0..<2).map { i in Process { try producer(queue, stopEvent, i) } }
let consumers = (0..<3).map { i in Process { try consumer(queue, stopEvent, i) } }

// 启动所有进程
for p in producers + consumers {
    try p.start()
}

// 运行 3 秒后停止
sleep(3)
stopEvent.set()

// 等待所有进程结束
for p in producers + consumers {
    try p.join()
}

print("All processes finished")
