import Glibc
import Multiprocessing

struct ComputeHeavy: PoolTask {
    func callAsFunction(_ n: Int) -> Int {
        // CPU 密集型计算
        var result = 0
        for i in 0..<n {
            result += i * i
        }
        return result
    }
}
let computeHeavy = ComputeHeavy()

let numbers = [Int](repeating: 1_000_000, count: 8)

// 串行执行
var start = now()
let serialResults = numbers.map { n in computeHeavy(n) }
let serialTime = now() - start

// 并行执行
start = now()
let parallelResults = try withPool(processes: cpuCount()) { pool in
    try pool.map(computeHeavy, numbers)
}
let parallelTime = now() - start

print("Serial: \(format(serialTime))s")
print("Parallel: \(format(parallelTime))s")
print("Speedup: \(format(serialTime / parallelTime))x")

// MARK: - time.time() 与 f"{x:.2f}"

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func format(_ x: Double) -> String {
    let hundredths = Int((x * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
