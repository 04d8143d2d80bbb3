import Multiprocessing

/// 结果字典 {'id': ..., 'processed': ..., 'category': ...}；跨进程返回，所以是 Codable
struct ProcessedRecord: Codable, CustomStringConvertible {
    var id: Int
    var processed: Int
    var category: String

    var description: String { "{'id': \(id), 'processed': \(processed), 'category': '\(category)'}" }
}

struct ProcessRecord: PoolTask {
    func callAsFunction(_ record: [String: Int]) -> ProcessedRecord {
        // 处理单条记录
        // 模拟复杂计算
        let value = record["value"]!
        let result = ProcessedRecord(
            id: record["id"]!,
            processed: value * value,
            category: value > 50 ? "high" : "low"
        )
        return result
    }
}
let processRecord = ProcessRecord()

func parallelProcess(_ data: [[String: Int]], workers: Int = 4) throws -> [ProcessedRecord] {
    // 并行处理数据
    let results = try withPool(processes: workers) { pool in
        try pool.map(processRecord, data)
    }
    return results
}

// 模拟大量数据
let data = (0..<10000).map { i in ["id": i, "value": i * 2] }

let results = try parallelProcess(data)
print("Processed \(results.count) records")
print("First result: \(results[0])")
