import Glibc

print("Main process PID: \(getpid())")
print("Worker A, Parent PID: \(getpid())")
