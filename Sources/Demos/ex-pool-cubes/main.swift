import Multiprocessing

// 练习 ex-pool-cubes 的参考答案。
func cube(_ x: Int) -> Int {
    x * x * x
}

try withPool(processes: 3) { pool in
    let cubes = try pool.map(cube, 1..<6)
    print(cubes)
    print("Sum: \(cubes.reduce(0, +))")
}
