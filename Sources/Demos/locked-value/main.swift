import Multiprocessing

func safeIncrement(_ counter: Value<Int32>, _ lock: Lock) throws {
    // 线程安全的递增
    for _ in 0..<1000 {
        try lock.withLock {
            counter.value += 1
        }
    }
}

let counter = try Value<Int32>(0)
let lock = try Lock()

let processes = (0..<4).map { _ in Process { try safeIncrement(counter, lock) } }

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}

print("Counter: \(counter.value)")  // 4000
