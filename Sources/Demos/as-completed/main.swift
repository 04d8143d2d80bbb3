import Glibc
import Multiprocessing

func task(_ seconds: Double) -> Double {
    usleep(UInt32(seconds * 1_000_000))
    return seconds
}

try withProcessPoolExecutor(maxWorkers: 3) { executor in
    // 先提交最慢的任务
    let futures = try [1.5, 0.5, 1.0].map { seconds in try executor.submit(task, seconds) }
    for future in asCompleted(futures) {
        print("Completed: slept \(try future.result()) s")
    }
}
