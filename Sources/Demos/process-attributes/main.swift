import Glibc
import Multiprocessing

/// Python 打印布尔值的写法：True / False
func py(_ value: Bool) -> String { value ? "True" : "False" }

func task() {
    let proc = currentProcess()
    print("Name: \(proc.name)")
    print("PID: \(proc.pid!)")
    print("Is alive: \(py(proc.isAlive))")
    sleep(1)
}

let p = Process(name: "MyWorker", target: task)
print("Before start - alive: \(py(p.isAlive))")  // False

try p.start()
print("After start - alive: \(py(p.isAlive))")   // True

try p.join()
print("After join - alive: \(py(p.isAlive))")    // False

// 获取退出码
print("Exit code: \(p.exitCode!)")  // 0 表示正常退出
