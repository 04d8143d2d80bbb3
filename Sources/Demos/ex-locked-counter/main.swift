import Multiprocessing

// 练习 ex-locked-counter 的参考答案。
func increment(_ counter: Value<Int32>, _ lock: Lock) throws {
    for _ in 0..<10_000 {
        try lock.withLock {
            counter.value += 1
        }
    }
}

let counter = try Value<Int32>(0)
let lock = try Lock()

let processes = (0..<4).map { _ in Process { try increment(counter, lock) } }
for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}

print("Counter: \(counter.value)")
