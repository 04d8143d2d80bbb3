import Foundation

// MARK: - Events

/// One line of a trace written by the `Multiprocessing` library under `LEARN_MP_TRACE`.
///
/// Times are the library's monotonic clock in nanoseconds; only differences between them mean
/// anything.
public enum TraceEvent: Equatable, Sendable {
    /// A child process began running (written by the child right after `fork`).
    case processStarted(pid: Int32, parent: Int32, name: String, time: UInt64)
    /// A child was reaped by its parent; `exitCode` follows Python (negative: killed by a signal).
    case processExited(pid: Int32, exitCode: Int32, time: UInt64)
    /// A pool or executor worker began task `task` of job `job`.
    case taskStarted(pid: Int32, job: Int, task: Int, time: UInt64)
    /// A pool or executor worker finished task `task` of job `job`.
    case taskEnded(pid: Int32, job: Int, task: Int, failed: Bool, time: UInt64)

    /// The event's monotonic time in nanoseconds.
    public var time: UInt64 {
        switch self {
        case .processStarted(_, _, _, let t), .processExited(_, _, let t),
             .taskStarted(_, _, _, let t), .taskEnded(_, _, _, _, let t):
            return t
        }
    }

    /// The process the event is about.
    public var pid: Int32 {
        switch self {
        case .processStarted(let pid, _, _, _), .processExited(let pid, _, _),
             .taskStarted(let pid, _, _, _), .taskEnded(let pid, _, _, _, _):
            return pid
        }
    }
}

// MARK: - Reader

/// Reads trace files tolerantly: a line that is not a well-formed event (a torn write, a
/// foreign line, an unknown event kind, a missing field) is skipped, never fatal.
public enum TraceReader {
    /// The events of a whole trace text, in file order.
    public static func parse(_ text: String) -> [TraceEvent] {
        var events: [TraceEvent] = []
        for line in text.split(whereSeparator: \.isNewline) {
            if let event = parseLine(line) { events.append(event) }
        }
        return events
    }

    /// The events of the trace file at `path`, or `nil` when it cannot be read.
    public static func read(path: String) -> [TraceEvent]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// One event from one line, or `nil` when the line is not a complete, known event.
    public static func parseLine<S: StringProtocol>(_ line: S) -> TraceEvent? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else { return nil }
        guard let raw = try? JSONDecoder().decode(RawEvent.self, from: Data(trimmed.utf8)) else {
            return nil
        }
        guard let kind = raw.event, let pid = raw.pid, let t = raw.t else { return nil }
        switch kind {
        case "start":
            guard let parent = raw.ppid else { return nil }
            return .processStarted(pid: pid, parent: parent, name: raw.name ?? "", time: t)
        case "exit":
            guard let code = raw.code else { return nil }
            return .processExited(pid: pid, exitCode: code, time: t)
        case "task-start":
            guard let job = raw.job, let task = raw.task else { return nil }
            return .taskStarted(pid: pid, job: job, task: task, time: t)
        case "task-end":
            guard let job = raw.job, let task = raw.task else { return nil }
            return .taskEnded(pid: pid, job: job, task: task, failed: raw.failed ?? false, time: t)
        default:
            return nil
        }
    }

    /// Every field any event may carry; which ones are required depends on `event`.
    private struct RawEvent: Decodable {
        var event: String?
        var pid: Int32?
        var ppid: Int32?
        var name: String?
        var code: Int32?
        var job: Int?
        var task: Int?
        var failed: Bool?
        var t: UInt64?
    }
}
