import func Glibc.sleep  // 只要 sleep：Glibc 也有一个叫 Semaphore 的类型（sem_t 指针）
import Multiprocessing

func limitedResource(_ sem: Semaphore, _ name: String) throws {
    // 限制并发访问的资源
    try sem.withLock {
        print("\(name) acquired semaphore")
        sleep(1)  // 使用资源
        print("\(name) released semaphore")
    }
}

// 最多允许 2 个进程同时访问
let sem = try Semaphore(2)

let processes = (0..<5).map { i in
    Process { try limitedResource(sem, "Process-\(i)") }
}

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}
