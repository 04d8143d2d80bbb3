import Foundation

/// A behaviour fact: something a sample's programs must do that printed text cannot show
/// (that a pool ran in parallel, that a waiter waited, that a lock excluded).
///
/// Facts are written one per line in a ```` ```facts demo=<slug> ```` block after the sample's
/// output block (see ``FactParser``); `min-time=` on the output block is the fact ``minTime(_:)``.
/// ``FactChecker`` checks each one against the ``RunEvidence`` of every runtime it applies to.
public enum Fact: Sendable, Equatable, Codable {
    /// `max-time 5 s`: the whole run takes at most this many seconds.
    case maxTime(Double)
    /// `min-time 2.8 s`: the whole run takes at least this many seconds.
    case minTime(Double)
    /// `cpu-parallelism 1.5`: CPU time (user + system, of the program and the children it
    /// reaped) divided by wall time is at least this.
    case cpuParallelism(Double)
    /// `workers 4`: exactly this many distinct worker processes or threads ran tasks.
    case workers(Int)
    /// `peak-tasks 4`: at most this many tasks ran at once, and at some moment this many did.
    case peakTasks(Int)
    /// `peak-holds 2`: at most this many holders of one lock or semaphore at once, and at some
    /// moment this many.
    case peakHolds(Int)
    /// `exclusive`: no two holds of one lock overlap.
    case exclusive
    /// `line "<template>" after 1.5 s`: the first line matching the template appears no
    /// sooner than this many seconds after the start.
    case lineAfterSeconds(template: String, seconds: Double)
    /// `line "<template>" after "<other>"`: the first line matching the template appears no
    /// sooner than the first line matching `other`.
    case lineAfterLine(template: String, other: String)
    /// `completion-order "<template>" by <name>`: the lines matching the template come in
    /// ascending order of the value captured as `name` (tasks started together, each taking
    /// that long: the order they completed in).
    case completionOrder(template: String, key: String)

    /// The fact's name, as written.
    public var name: String {
        switch self {
        case .maxTime: "max-time"
        case .minTime: "min-time"
        case .cpuParallelism: "cpu-parallelism"
        case .workers: "workers"
        case .peakTasks: "peak-tasks"
        case .peakHolds: "peak-holds"
        case .exclusive: "exclusive"
        case .lineAfterSeconds, .lineAfterLine: "line"
        case .completionOrder: "completion-order"
        }
    }

    /// Whether other programs running beside this one could make a right program fail it:
    /// a run with such a fact gets the machine to itself (``JobScheduler``).
    public var needsQuietMachine: Bool {
        switch self {
        case .maxTime, .cpuParallelism: true
        default: false
        }
    }
}

extension Fact: CustomStringConvertible {
    /// The fact as it is written in a facts block.
    public var description: String {
        switch self {
        case .maxTime(let s): "max-time \(format(s)) s"
        case .minTime(let s): "min-time \(format(s)) s"
        case .cpuParallelism(let x): "cpu-parallelism \(format(x))"
        case .workers(let n): "workers \(n)"
        case .peakTasks(let n): "peak-tasks \(n)"
        case .peakHolds(let n): "peak-holds \(n)"
        case .exclusive: "exclusive"
        case .lineAfterSeconds(let template, let s): "line \(quoted(template)) after \(format(s)) s"
        case .lineAfterLine(let template, let other): "line \(quoted(template)) after \(quoted(other))"
        case .completionOrder(let template, let key): "completion-order \(quoted(template)) by \(key)"
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
