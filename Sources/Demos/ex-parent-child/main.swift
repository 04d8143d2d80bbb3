import Glibc
import Multiprocessing

// 练习 ex-parent-child 的参考答案。
func child() {
    print("Child PID: \(getpid()), parent: \(getppid())")
}

print("Parent PID: \(getpid())")

let p = Process { child() }
try p.start()
try p.join()

print("Child exit code: \(p.exitCode!)")
