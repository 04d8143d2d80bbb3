import Glibc
import Multiprocessing

// 练习 ex-exit-codes 的参考答案：第 i 个子进程以退出码 i 结束。
func worker(_ i: Int) {
    print("Worker \(i) exiting with \(i)")
    exit(Int32(i))
}

let processes = (0..<3).map { i in Process(name: "Worker-\(i)") { worker(i) } }

for p in processes {
    try p.start()
}
for p in processes {
    try p.join()
}
for p in processes {
    print("\(p.name): exit code \(p.exitCode!)")
}
