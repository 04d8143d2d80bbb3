import Foundation

/// A behaviour fact: something a sample's programs must do that printed text cannot show
/// (that a pool ran in parallel, that a waiter waited, that a lock excluded).
///
/// Facts are written one per line in a fence with the info string `facts demo=<slug>` after the sample's
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
    /// `tasks 100`: this many pool or executor tasks ran in workers.
    case tasks(Count)
    /// `workers 4`: this many distinct worker processes or threads ran the tasks.
    case workers(Count)
    /// `peak-tasks 4`: the most tasks running at one moment (`peak-tasks >= 2`: at least two).
    case peakTasks(Count)
    /// `peak-holds 2`: the most holders of one lock or semaphore at one moment.
    case peakHolds(Count)
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
    /// `value "Counter: [INT:count]" count >= 1000`: the first line matching the template
    /// captures `key` as a number at least `bound` (a counter that was really incremented).
    case valueAtLeast(template: String, key: String, bound: Double)
    /// `<fact> for swift, python`: the fact, checked only for these runtimes (the lesson says
    /// why the others cannot show it).
    indirect case only([Runtime], Fact)

    /// The fact without its runtime restriction.
    public var unrestricted: Fact {
        if case .only(_, let fact) = self { return fact.unrestricted }
        return self
    }

    /// Whether the fact is checked for `runtime`.
    public func applies(to runtime: Runtime) -> Bool {
        if case .only(let runtimes, _) = self { return runtimes.contains(runtime) }
        return true
    }

    /// The fact's name, as written.
    public var name: String {
        switch self {
        case .maxTime: "max-time"
        case .minTime: "min-time"
        case .cpuParallelism: "cpu-parallelism"
        case .tasks: "tasks"
        case .workers: "workers"
        case .peakTasks: "peak-tasks"
        case .peakHolds: "peak-holds"
        case .exclusive: "exclusive"
        case .lineAfterSeconds, .lineAfterLine: "line"
        case .completionOrder: "completion-order"
        case .valueAtLeast: "value"
        case .only(_, let fact): fact.name
        }
    }

    /// Whether other programs running beside this one could make a right program fail it:
    /// a run with such a fact gets the machine to itself (``JobScheduler``). Wall time and CPU
    /// share, and completion order, which assumes tasks started together really start together.
    public var needsQuietMachine: Bool {
        switch self {
        case .maxTime, .cpuParallelism, .completionOrder: true
        case .only(_, let fact): fact.needsQuietMachine
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
        case .tasks(let n): "tasks \(n)"
        case .workers(let n): "workers \(n)"
        case .peakTasks(let n): "peak-tasks \(n)"
        case .peakHolds(let n): "peak-holds \(n)"
        case .exclusive: "exclusive"
        case .lineAfterSeconds(let template, let s): "line \(quoted(template)) after \(format(s)) s"
        case .lineAfterLine(let template, let other): "line \(quoted(template)) after \(quoted(other))"
        case .completionOrder(let template, let key): "completion-order \(quoted(template)) by \(key)"
        case .valueAtLeast(let template, let key, let bound): "value \(quoted(template)) \(key) >= \(format(bound))"
        case .only(let runtimes, let fact): "\(fact) for " + runtimes.map(\.rawValue).joined(separator: ", ")
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A count a fact expects: `4` (exactly), `>= 2` (at least), `<= 2` (at most).
public struct Count: Sendable, Equatable, Codable, CustomStringConvertible {
    /// How the measured number must compare with ``value``.
    public enum Relation: String, Sendable, Codable {
        case exactly = "", atLeast = ">=", atMost = "<="
    }

    /// The number.
    public var value: Int
    /// How a measured number must compare with it.
    public var relation: Relation

    /// Creates a count.
    public init(_ value: Int, _ relation: Relation = .exactly) {
        self.value = value
        self.relation = relation
    }

    /// Whether `measured` satisfies the count.
    public func admits(_ measured: Int) -> Bool {
        switch relation {
        case .exactly: measured == value
        case .atLeast: measured >= value
        case .atMost: measured <= value
        }
    }

    /// The smallest number the count admits.
    var lowest: Int { relation == .atMost ? 0 : value }
    /// The largest number the count admits.
    var highest: Int { relation == .atLeast ? Int.max : value }

    /// `exactly 4`, `at least 2`, `at most 2`: for reports.
    var expectation: String {
        switch relation {
        case .exactly: "\(value)"
        case .atLeast: "at least \(value)"
        case .atMost: "at most \(value)"
        }
    }

    /// As written: `4`, `>= 2`, `<= 2`.
    public var description: String { relation == .exactly ? "\(value)" : "\(relation.rawValue) \(value)" }
}
