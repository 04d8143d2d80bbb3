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

// 进程的名字就是它打印的名字（Python 原文只把名字作为参数传入，进程自己叫 Process-1…5）
let processes = (0..<5).map { i in
    Process(name: "Process-\(i)") { try limitedResource(sem, "Process-\(i)") }
}

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}
