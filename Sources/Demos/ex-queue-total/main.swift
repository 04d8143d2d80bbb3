import Multiprocessing

// 练习 ex-queue-total 的参考答案。
func producer(_ queue: Queue<Int?>) throws {
    for number in 1...10 {
        try queue.put(number)
    }
    try queue.put(nil)  // 结束信号
}

let queue = try Queue<Int?>()
let p = Process { try producer(queue) }
try p.start()

var count = 0
var total = 0
while let number = try queue.get() {
    count += 1
    total += number
}
try p.join()

print("Received \(count) numbers, total \(total)")
