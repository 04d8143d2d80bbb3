import Multiprocessing

func taskWithLock(_ lock: Lock, _ name: String) throws {
    print("\(name) waiting for lock")
    try lock.withLock {
        print("\(name) acquired lock")
        // 临界区代码...
    }
    print("\(name) released lock")
}

let lock = try Lock()

let processes = (0..<3).map { i in
    Process { try taskWithLock(lock, "Process-\(i)") }
}

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}
