import Glibc
import Multiprocessing

func task(_ seconds: Int) -> Int {
    sleep(UInt32(seconds))
    return seconds
}

try withProcessPoolExecutor(maxWorkers: 3) { executor in
    // 先提交最慢的任务
    let futures = try [3, 1, 2].map { seconds in try executor.submit(task, seconds) }
    for future in asCompleted(futures) {
        print("Completed: slept \(try future.result()) s")
    }
}
