import Foundation

// MARK: - Run records

/// The last checked run of one demo, as the site shows it: its captured output, whether it
/// matched, its exit code and its trace. Read from the runner's ``ResultStore``.
public struct DemoRunRecord: Sendable, Equatable {
    /// The demo slug.
    public var demo: String
    /// Whether the output matched the expected block and the exit code was the expected one.
    public var passed: Bool
    /// What the demo printed on standard output (in records stored before the two streams were
    /// kept apart: standard output, then standard error).
    public var output: String
    /// What the demo printed on standard error; nil in records stored before it was kept apart.
    public var errorOutput: String?
    /// The exit code (negative: killed by that signal), when it exited.
    public var exitCode: Int32?
    /// How long the run took, in seconds.
    public var seconds: Double?
    /// When the run finished, as UTC `YYYY-MM-DD HH:MM`.
    public var date: String?
    /// The trace's text (JSON lines), when tracing produced any.
    public var trace: String?
    /// The traces of the last Python and Node.js runs of the same sample (`verify --python
    /// --node`), drawn beside this one on one scale.
    public var twinTraces: [Runtime: String] = [:]

    /// Creates a record.
    public init(demo: String, passed: Bool, output: String, errorOutput: String? = nil, exitCode: Int32? = nil,
                seconds: Double? = nil, date: String? = nil, trace: String? = nil) {
        self.demo = demo
        self.passed = passed
        self.output = output
        self.errorOutput = errorOutput
        self.exitCode = exitCode
        self.seconds = seconds
        self.date = date
        self.trace = trace
    }

    /// The timeline drawn from ``trace``; empty when there is no trace.
    public var timeline: Timeline { Timeline(trace: trace ?? "") }
}

extension DemoRunRecord {
    /// The record of a stored result (`.build/learn-mp/results.json`).
    public init(demo: String, entry: ResultStore.Entry) {
        self.init(demo: demo, passed: entry.passed, output: entry.output ?? "", errorOutput: entry.errorOutput, exitCode: entry.exitCode,
                  seconds: entry.seconds, date: Self.utcMinute(entry.date), trace: entry.trace)
    }

    /// Seconds since 1970 as UTC `YYYY-MM-DD HH:MM`.
    static func utcMinute(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

extension ResultStore {
    /// The last Swift run of `demo` as a site record, with the traces of its last Python and
    /// Node.js runs; nil when it never ran or was stored before outputs were kept.
    public func record(demo: String) -> DemoRunRecord? {
        guard let entry = entries[demo], entry.output != nil else { return nil }
        var record = DemoRunRecord(demo: demo, entry: entry)
        for runtime in [Runtime.python, .node] {
            if let trace = entries["\(demo) (\(runtime.label))"]?.trace { record.twinTraces[runtime] = trace }
        }
        return record
    }
}
