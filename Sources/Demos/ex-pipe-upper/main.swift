import Multiprocessing

// 练习 ex-pipe-upper 的参考答案。
func shout(_ conn: Connection) throws {
    while true {
        let word = try conn.recv(String.self)
        if word == "STOP" {
            break
        }
        try conn.send(word.uppercased())
    }
    try conn.close()
}

let (parentConn, childConn) = try Pipe()
let p = Process { try shout(childConn) }
try p.start()

for word in ["hello", "world"] {
    try parentConn.send(word)
    print("\(word) -> \(try parentConn.recv(String.self))")
}
try parentConn.send("STOP")
try p.join()
print("Child exit code: \(p.exitCode!)")
