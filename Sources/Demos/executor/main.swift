import Glibc
import Multiprocessing

struct SquareTask: PoolTask {
    func callAsFunction(_ n: Int) -> Int {
        usleep(500_000)
        return n * n
    }
}
let task = SquareTask()

// 推荐使用 ProcessPoolExecutor
try withProcessPoolExecutor(maxWorkers: 4) { executor in
    // submit 单个任务
    let future = try executor.submit(task, 5)
    print("Result: \(try future.result())")

    // map 批量任务
    let results = try executor.map(task, 0..<10).values()
    print("Results: \(results)")

    // asCompleted 获取完成的任务
    let futures = try (0..<5).map { i in try executor.submit(task, i) }
    for future in asCompleted(futures) {
        print("Completed: \(try future.result())")
    }
}
