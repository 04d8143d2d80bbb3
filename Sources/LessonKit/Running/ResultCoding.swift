import Foundation

/// JSON for run results (between runner processes, and in `results.json`).
enum ResultCoding {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// The last result of each demo, kept in `.build/learn-mp/results.json`.
public struct ResultStore: Sendable {
    /// One remembered result.
    public struct Entry: Codable, Sendable {
        /// Passed or failed.
        public var passed: Bool
        /// Seconds the run took.
        public var seconds: Double
        /// When, as seconds since 1970.
        public var date: Double
        /// The first problem, when it failed.
        public var problem: String?
        /// The trace lines of the run (every runtime).
        public var trace: String?
        /// What the run printed (standard output, then standard error), for the site.
        public var output: String?
        /// The exit code (negative: killed by that signal); nil when it did not start.
        public var exitCode: Int32?
    }

    /// The file.
    public var path: String
    /// Results by `demo` or `demo (Python)` title.
    public var entries: [String: Entry]

    /// Reads the store (empty when missing or unreadable).
    public init(path: String) {
        self.path = path
        entries = (try? FileSystem.readText(path)).flatMap { ResultCoding.decode([String: Entry].self, $0) } ?? [:]
    }

    /// Records results.
    public mutating func record(_ results: [RunResult]) {
        let now = Date().timeIntervalSince1970
        for result in results {
            let exitCode: Int32? = switch result.spawn.termination {
            case .exited(let code): code
            case .signaled(let signal): -signal
            case .failedToStart: nil
            }
            entries[result.job.title] = Entry(passed: result.passed, seconds: result.spawn.seconds, date: now,
                                              problem: result.problems.first, trace: result.trace.isEmpty ? nil : result.trace,
                                              output: result.spawn.stdout + result.spawn.stderr, exitCode: exitCode)
        }
    }

    /// Writes the store.
    public func save() {
        if let slash = path.lastIndex(of: "/") { try? FileSystem.makeDirectories(String(path[..<slash])) }
        if let text = try? ResultCoding.encode(entries) { try? FileSystem.writeText(text, to: path) }
    }
}
