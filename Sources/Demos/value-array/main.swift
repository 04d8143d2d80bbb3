import Multiprocessing

func increment(_ counter: Value<Int32>, _ array: SharedArray<Double>) {
    // 修改共享值
    for _ in 0..<1000 {
        counter.value += 1
    }

    for i in 0..<array.count {
        array[i] += 1
    }
}

// 共享整数 (Int32 = 'i')
let counter = try Value<Int32>(0)

// 共享数组 (Double = 'd')
let array = try SharedArray<Double>([0.0, 1.0, 2.0])

let processes = (0..<4).map { _ in Process { increment(counter, array) } }

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}

print("Counter: \(counter.value)")  // 可能不是 4000 (需要锁)
print("Array: \(array[...])")
