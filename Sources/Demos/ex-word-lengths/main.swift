import Multiprocessing

// 练习 ex-word-lengths 的参考答案。
func length(_ word: String) -> Int {
    word.count
}

let words = ["fork", "pipe", "queue", "semaphore", "manager"]

try withPool(processes: 2) { pool in
    let lengths = try pool.map(length, words)
    for (word, count) in zip(words, lengths) {
        print("\(word): \(count)")
    }
    print("Longest: \(zip(words, lengths).max { $0.1 < $1.1 }!.0)")
}
