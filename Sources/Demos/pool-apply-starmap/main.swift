import Multiprocessing

// 两个参数的任务：PairTask（Swift 的元组不是 Codable，两个值分开传）
struct Add: PairTask {
    func callAsFunction(_ a: Int, _ b: Int) -> Int {
        a + b
    }
}
let add = Add()

struct ProcessItem: PoolTask {
    func callAsFunction(_ item: [String: Int]) -> Int {
        item["value"]! * 2
    }
}
let processItem = ProcessItem()

try withPool(processes: 4) { pool in
    // apply - 单个任务，阻塞
    let result = try pool.apply(add, (1, 2))
    print(result)  // 3

    // applyAsync - 单个任务，非阻塞
    let asyncResult = try pool.applyAsync(add, (3, 4))
    print(try asyncResult.get())  // 7

    // starmap - 多参数版 map
    let pairs = [(1, 2), (3, 4), (5, 6)]
    let results = try pool.starmap(add, pairs)
    print(results)  // [3, 7, 11]

    // imap - 惰性迭代器版本
    for result in try pool.imap(processItem, (0..<5).map { i in ["value": i] }) {
        print(try result.get())  // 0, 2, 4, 6, 8
    }
}
