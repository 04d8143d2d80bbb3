import Glibc
import Multiprocessing

func waiter(_ event: Event, _ name: String) throws {
    print("\(name) waiting for event")
    event.wait()
    print("\(name) event received!")
}

func setter(_ event: Event) throws {
    print("Setting event in 2 seconds...")
    sleep(2)
    event.set()
}

let event = try Event()

let waiters = (0..<3).map { i in Process { try waiter(event, "Waiter-\(i)") } }
let setterProc = Process { try setter(event) }

for w in waiters {
    try w.start()
}
try setterProc.start()

for w in waiters {
    try w.join()
}
try setterProc.join()
