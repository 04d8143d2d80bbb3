import Glibc
import Multiprocessing

// 任务按类型名传给工作进程（Python 按函数名），参数与结果按值（Codable）
struct Square: PoolTask {
    func callAsFunction(_ x: Int) -> Int {
        usleep(500_000)  // 模拟耗时操作
        return x * x
    }
}
let square = Square()

// 创建包含 4 个工作进程的池
try withPool(processes: 4) { pool in
    // map - 阻塞，返回结果列表
    var results = try pool.map(square, 0..<10)
    print(results)  // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]

    // mapAsync - 非阻塞
    let asyncResult = try pool.mapAsync(square, 0..<5)
    // 做其他事情...
    results = try asyncResult.get()  // 获取结果
    print(results)
}
