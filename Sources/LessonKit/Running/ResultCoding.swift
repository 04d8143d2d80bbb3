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
        /// What the run printed on standard output, for the site (standard output, then
        /// standard error, in entries written before ``errorOutput`` existed).
        public var output: String?
        /// The exit code (negative: killed by that signal); nil when it did not start.
        public var exitCode: Int32?
        /// What the run printed on standard error, for the site.
        public var errorOutput: String?
    }

    /// The file.
    public var path: String
    /// Results by `demo` or `demo (Python)` title.
    public var entries: [String: Entry]

    /// What was wrong with the file when it was read (a corrupt file moved aside, an unreadable
    /// one left alone), to be shown once; nil when it read cleanly or did not exist.
    public private(set) var notice: String?
    /// The file exists but could not be read: ``save()`` leaves it alone.
    private var unreadable = false

    /// Reads the store: empty when the file is missing. A file that is not a results file
    /// (cut short, edited by hand, not UTF-8) is renamed to `results.json.corrupt-<time>`, kept
    /// for inspection, and named in ``notice``; the store then starts empty.
    public init(path: String) {
        self.path = path
        entries = [:]
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readBytes(path)
        } catch {
            if error.errno != ENOENT {
                unreadable = true
                notice = "\(error); the last results are not shown and not updated"
            }
            return
        }
        if let text = String(validating: bytes, as: UTF8.self), let decoded = ResultCoding.decode([String: Entry].self, text) {
            entries = decoded
            return
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).filter { $0 != ":" && $0 != "-" }
        let aside = "\(path).corrupt-\(stamp)"
        do {
            try FileSystem.rename(path, to: aside)
            notice = "\(path) is not a results file learn-mp can read (cut short or edited?); kept it as \(aside) and started a new one"
        } catch {
            unreadable = true
            notice = "\(path) is not a results file learn-mp can read, and it could not be moved aside (\(error)); move or delete it"
        }
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
                                              output: result.spawn.stdout, exitCode: exitCode,
                                              errorOutput: result.spawn.stderr)
        }
    }

    /// Writes the store (through a temporary file and a rename); nothing when the file could
    /// not be read.
    public func save() throws {
        guard !unreadable else { return }
        if let slash = path.lastIndex(of: "/") { try FileSystem.makeDirectories(String(path[..<slash])) }
        try FileSystem.writeText(ResultCoding.encode(entries), to: path, durable: true)
    }
}
