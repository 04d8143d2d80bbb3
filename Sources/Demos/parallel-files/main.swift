import Glibc
import Multiprocessing

/// Python 的结果字典：成功时有 size 和 hash，失败时有 error。
struct FileResult: Codable, CustomStringConvertible {
    var path: String
    var size: Int? = nil
    var hash: String? = nil
    var error: String? = nil

    /// 按 Python 的 repr 打印：{'path': 'a.py', 'size': 3, 'hash': '...'}
    var description: String {
        if let error { return "{'path': '\(path)', 'error': '\(error)'}" }
        return "{'path': '\(path)', 'size': \(size!), 'hash': '\(hash!)'}"
    }
}

struct FileError: Error, CustomStringConvertible {
    var description: String
}

struct ProcessFile: PoolTask {
    func callAsFunction(_ filepath: String) -> FileResult {
        // 计算文件哈希
        do {
            let content = try readFile(filepath)
            return FileResult(path: filepath, size: content.count, hash: md5Hex(content))
        } catch {
            return FileResult(path: filepath, error: "\(error)")
        }
    }
}
let processFile = ProcessFile()

func parallelFileProcess(_ directory: String, suffix: String, workers: Int = 4) throws -> [FileResult] {
    // 并行处理目录下的文件（Path(directory).glob('*' + suffix)）
    let files = try listDirectory(directory).filter { $0.hasSuffix(suffix) }

    return try withPool(processes: workers) { pool in
        try pool.map(processFile, files)
    }
}

let results = try parallelFileProcess(".", suffix: ".py")
for r in results.prefix(5) {
    print(r)
}

// MARK: - 文件与目录（Glibc）

func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw FileError(description: String(cString: strerror(errno))) }
    defer { fclose(file) }
    var content: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while case let n = fread(&buffer, 1, buffer.count, file), n > 0 {
        content += buffer[0..<n]
    }
    return content
}

/// 目录项，按 readdir 的顺序（与 Python 的 os.scandir 相同）。
func listDirectory(_ path: String) throws -> [String] {
    guard let dir = opendir(path) else { throw FileError(description: String(cString: strerror(errno))) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

// MARK: - MD5（RFC 1321）

func md5Hex(_ message: [UInt8]) -> String {
    let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    let table = (0..<64).map { UInt32(fabs(sin(Double($0 + 1))) * 4_294_967_296) }
    var state: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476]

    var data = message + [0x80]
    while data.count % 64 != 56 { data.append(0) }
    let bits = UInt64(message.count) * 8
    data += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }

    for chunk in stride(from: 0, to: data.count, by: 64) {
        let words = (0..<16).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[chunk + 4 * i + $1]) << (8 * UInt32($1)) }
        }
        var (a, b, c, d) = (state[0], state[1], state[2], state[3])
        for i in 0..<64 {
            let (f, g): (UInt32, Int)
            switch i / 16 {
            case 0: (f, g) = ((b & c) | (~b & d), i)
            case 1: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
            case 2: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
            default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
            }
            let sum = a &+ f &+ table[i] &+ words[g]
            let s = shifts[i / 16 * 4 + i % 4]
            (a, d, c) = (d, c, b)
            b = b &+ (sum << s | sum >> (32 - s))
        }
        state = zip(state, [a, b, c, d]).map { $0 &+ $1 }
    }
    let bytes = state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
    return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
