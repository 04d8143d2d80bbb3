import Glibc
import Multiprocessing

func worker(_ name: String) {
    // 子进程执行的函数
    print("Worker \(name), PID: \(getpid()), Parent PID: \(getppid())")
}

print("Main process PID: \(getpid())")

// 创建进程
let p1 = Process { worker("A") }
let p2 = Process { worker("B") }

// 启动进程
try p1.start()
try p2.start()

// 等待进程结束
try p1.join()
try p2.join()

print("All workers finished")
