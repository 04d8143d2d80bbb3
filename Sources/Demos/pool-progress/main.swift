import Glibc
import Multiprocessing

struct SquareTask: PoolTask {
    func callAsFunction(_ x: Int) -> Int {
        x * x
    }
}
let task = SquareTask()

let items = 0..<100

try withPool(processes: 4) { pool in
    // 使用 imapUnordered 获取完成的结果
    var results: [Int] = []
    try withProgressBar(total: items.count) { pbar in
        for result in try pool.imapUnordered(task, items) {
            results.append(try result.get())
            pbar.update()
        }
    }

    print("Processed \(results.count) items")
}

// MARK: - 代替 tqdm 的简易进度条，画在标准错误上

final class ProgressBar {
    let total: Int
    var n = 0

    init(total: Int) {
        self.total = total
        draw()
    }

    func update() {
        n += 1
        draw()
    }

    func draw() {
        let filled = n * 10 / total
        let bar = String(repeating: "█", count: filled) + String(repeating: " ", count: 10 - filled)
        let line = "\r\(n * 100 / total)%|\(bar)| \(n)/\(total)"
        _ = write(2, line, line.utf8.count)
    }
}

func withProgressBar(total: Int, _ body: (ProgressBar) throws -> Void) rethrows {
    try body(ProgressBar(total: total))
    _ = write(2, "\n", 1)
}
