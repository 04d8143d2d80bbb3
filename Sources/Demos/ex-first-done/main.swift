import Glibc
import Multiprocessing

struct Nap: PoolTask {
    func callAsFunction(_ seconds: Int) -> Int {
        sleep(UInt32(seconds))
        return seconds
    }
}

try withProcessPoolExecutor(maxWorkers: 2) { executor in
    let futures = try [2, 1].map { try executor.submit(Nap(), $0) }
    for future in asCompleted(futures) {
        print("Done: \(try future.result()) s")
    }
}
