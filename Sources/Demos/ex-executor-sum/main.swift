import Multiprocessing

// 练习 ex-executor-sum 的参考答案。
func times10(_ n: Int) -> Int {
    n * 10
}

try withProcessPoolExecutor(maxWorkers: 3) { executor in
    let futures = try (1...5).map { i in try executor.submit(times10, i) }
    var total = 0
    for future in asCompleted(futures) {
        total += try future.result()
    }
    print("Completed \(futures.count) tasks")
    print("Total: \(total)")
}
