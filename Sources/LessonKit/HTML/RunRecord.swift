import Foundation

// MARK: - Run records

/// The last checked run of one demo, as kept on disk for the site (and `learn-mp list`):
/// its captured output, whether it matched, its exit code and its trace.
///
/// Stored under `<root>/<demo>/`: `output.txt` (the captured output), `trace.jsonl` (the
/// `LEARN_MP_TRACE` lines, when any) and `result.txt` (`key=value` lines: `passed`, `exit`,
/// `seconds`, `date`).
public struct DemoRunRecord: Sendable, Equatable {
    /// The demo slug.
    public var demo: String
    /// Whether the output matched the expected block and the exit code was the expected one.
    public var passed: Bool
    /// What the demo printed (stdout and stderr, merged as the runner captured them).
    public var output: String
    /// The exit code (negative: killed by that signal), when it exited.
    public var exitCode: Int32?
    /// How long the run took, in seconds.
    public var seconds: Double?
    /// When the run finished, as UTC `YYYY-MM-DD HH:MM`.
    public var date: String?
    /// The trace's text (JSON lines), when tracing produced any.
    public var trace: String?

    /// Creates a record.
    public init(demo: String, passed: Bool, output: String, exitCode: Int32? = nil,
                seconds: Double? = nil, date: String? = nil, trace: String? = nil) {
        self.demo = demo
        self.passed = passed
        self.output = output
        self.exitCode = exitCode
        self.seconds = seconds
        self.date = date
        self.trace = trace
    }

    /// The timeline drawn from ``trace``; empty when there is no trace.
    public var timeline: Timeline { Timeline(trace: trace ?? "") }
}

/// Reads and writes ``DemoRunRecord``s in a directory (by default `.build/learn-mp/runs`).
public struct RunStore: Sendable {
    /// The directory holding one folder per demo.
    public var root: String

    /// The default place, relative to the package root.
    public static let defaultRoot = ".build/learn-mp/runs"

    /// - Parameter root: the directory holding one folder per demo.
    public init(root: String = RunStore.defaultRoot) {
        self.root = root
    }

    /// Saves `record`, replacing the demo's previous one.
    public func save(_ record: DemoRunRecord) throws {
        let folder = "\(root)/\(record.demo)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(record.output.utf8).write(to: URL(fileURLWithPath: "\(folder)/output.txt"))
        let tracePath = "\(folder)/trace.jsonl"
        if let trace = record.trace, !trace.isEmpty {
            try Data(trace.utf8).write(to: URL(fileURLWithPath: tracePath))
        } else {
            try? FileManager.default.removeItem(atPath: tracePath)
        }
        var lines = ["passed=\(record.passed)"]
        if let code = record.exitCode { lines.append("exit=\(code)") }
        if let seconds = record.seconds { lines.append("seconds=\(seconds)") }
        lines.append("date=\(record.date ?? Self.now())")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/result.txt"))
    }

    /// The demo's last record, or `nil` when it never ran (or its files are unreadable).
    public func load(demo: String) -> DemoRunRecord? {
        let folder = "\(root)/\(demo)"
        guard let result = FileManager.default.contents(atPath: "\(folder)/result.txt"),
              let output = FileManager.default.contents(atPath: "\(folder)/output.txt") else { return nil }
        var fields: [String: String] = [:]
        for line in String(decoding: result, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let passed = fields["passed"].flatMap(Bool.init) else { return nil }
        let trace = FileManager.default.contents(atPath: "\(folder)/trace.jsonl").map { String(decoding: $0, as: UTF8.self) }
        return DemoRunRecord(demo: demo, passed: passed, output: String(decoding: output, as: UTF8.self),
                             exitCode: fields["exit"].flatMap { Int32($0) },
                             seconds: fields["seconds"].flatMap(Double.init),
                             date: fields["date"], trace: trace)
    }

    /// The current UTC time as `YYYY-MM-DD HH:MM`.
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date())
    }
}
