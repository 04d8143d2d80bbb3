import Multiprocessing

struct Length: PoolTask {
    func callAsFunction(_ word: String) -> Int { word.count }
}

let ctx = getContext(.spawn)
try withPool(processes: 2, context: ctx) { pool in
    let lengths = try pool.map(Length(), ["fork", "spawn", "forkserver"])
    print("\(ctx.startMethod): \(lengths)")
}
