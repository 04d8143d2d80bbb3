import Multiprocessing

// 工作进程按类型名找到 Square（Python 按函数名找到 square）
struct Square: PoolTask {
    func callAsFunction(_ x: Int) -> Int { x * x }
}
let square = Square()

// main.swift 的顶层代码只在主进程里运行：
// spawn 出的工作进程在它之前就进入了工作循环（相当于 if __name__ == '__main__':）
let ctx = getContext(.spawn)
print(ctx.startMethod)
try withPool(processes: 2, context: ctx) { pool in
    print(try pool.map(square, 0..<5))
}
