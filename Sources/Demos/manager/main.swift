import Multiprocessing

func worker(_ sharedDict: DictProxy<Int, Int>, _ sharedList: ListProxy<Int>, _ lock: LockProxy, _ workerId: Int) throws {
    // 修改共享数据
    try lock.withLock {
        try sharedDict.set(workerId, to: workerId * 10)
        try sharedList.append(workerId)
    }
}

/// 按 Python 的格式打印字典：{0: 0, 1: 10}（按插入顺序）
func describe(_ items: [(key: Int, value: Int)]) -> String {
    "{" + items.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
}

try withManager { manager in
    // 创建共享数据结构
    let sharedDict = try manager.dict(Int.self, Int.self)
    let sharedList = try manager.list(Int.self)
    let lock = try manager.lock()

    var processes: [Process] = []
    for i in 0..<5 {
        let p = Process { try worker(sharedDict, sharedList, lock, i) }
        processes.append(p)
        try p.start()
    }

    for p in processes {
        try p.join()
    }

    print("Dict: \(describe(try sharedDict.items()))")  // {0: 0, 1: 10, 2: 20, 3: 30, 4: 40}
    print("List: \(try sharedList.copy())")  // [0, 1, 2, 3, 4] (顺序可能不同)
}
