import Multiprocessing

func sender(_ conn: Connection) throws {
    // 发送端
    let messages = ["Hello", "World", "Done"]
    for msg in messages {
        try conn.send(msg)
        print("Sent: \(msg)")
    }
    try conn.close()
}

func receiver(_ conn: Connection) throws {
    // 接收端
    while true {
        do {
            let msg = try conn.recv(String.self)
            print("Received: \(msg)")
            if msg == "Done" {
                break
            }
        } catch ConnectionError.endOfFile {
            break
        }
    }
    try conn.close()
}

// 创建管道，返回两端连接
let (parentConn, childConn) = try Pipe()

let p1 = Process { try sender(parentConn) }
let p2 = Process { try receiver(childConn) }

try p1.start()
try p2.start()

try p1.join()
try p2.join()
