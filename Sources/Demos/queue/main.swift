import Glibc
import Multiprocessing

func producer(_ queue: Queue<Int?>, _ items: Range<Int>) throws {
    // 生产者进程
    for item in items {
        print("Producing: \(item)")
        try queue.put(item)
        usleep(100_000)
    }
    try queue.put(nil)  // 结束信号
}

func consumer(_ queue: Queue<Int?>) throws {
    // 消费者进程
    while true {
        guard let item = try queue.get() else {
            break
        }
        print("Consuming: \(item)")
        usleep(200_000)
    }
}

let queue = try Queue<Int?>()

// 创建生产者和消费者
let prod = Process { try producer(queue, 0..<5) }
let cons = Process { try consumer(queue) }

try prod.start()
try cons.start()

try prod.join()
try cons.join()
