import Multiprocessing

// Process 可以跨进程使用，子类需要重申 @unchecked Sendable
class MyProcess: Process, @unchecked Sendable {
    init(name: String) {
        super.init(name: name)
    }

    override func run() throws {
        // 重写 run 方法
        print("Process \(name) is running")
        // 执行任务...
    }
}

let processes = (0..<3).map { i in MyProcess(name: "Worker-\(i)") }

for p in processes {
    try p.start()
}

for p in processes {
    try p.join()
}
