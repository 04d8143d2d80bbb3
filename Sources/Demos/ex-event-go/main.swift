import Glibc
import Multiprocessing

// 练习 ex-event-go 的参考答案。
func worker(_ event: Event, _ go: Value<Int32>, _ name: String) {
    print("\(name) waiting")
    event.wait()
    print("\(name) started, go = \(go.value)")
}

let go = try Value<Int32>(0)
let event = try Event()
let workers = (0..<3).map { i in Process { worker(event, go, "Worker-\(i)") } }
for w in workers {
    try w.start()
}

usleep(200_000)
print("Main: go!")
go.value = 1
event.set()

for w in workers {
    try w.join()
}
print("Main: all workers finished")
