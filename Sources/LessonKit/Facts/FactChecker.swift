/// Checks ``Fact``s against the ``RunEvidence`` of one run.
///
/// A failure names the fact, the program and what was measured:
/// `pool-map (Python): max-time 5 s: at most 5 s expected, took 7.62 s`.
public enum FactChecker {
    /// The verdict on one fact.
    public enum Verdict: Sendable, Equatable {
        /// The run shows the fact.
        case held
        /// The run contradicts it: what was expected and what was measured.
        case failed(String)
        /// The run cannot show it (why: this runtime's trace records no tasks, no holds…).
        case unchecked(String)
    }

    /// Checks every fact; returns the failures, each prefixed with `title` and the fact, and
    /// the facts that could not be checked, with the reason.
    public static func check(_ facts: [Fact], _ evidence: RunEvidence, runtime: Runtime, title: String) -> (failures: [String], unchecked: [String]) {
        var failures: [String] = [], unchecked: [String] = []
        for fact in facts where fact.applies(to: runtime) {
            switch verdict(fact, evidence) {
            case .held: break
            case .failed(let why): failures.append("\(title): \(fact): \(why)")
            case .unchecked(let why): unchecked.append("\(title): \(fact): not checked: \(why)")
            }
        }
        return (failures, unchecked)
    }

    /// The verdict on `fact` for the run that gave `evidence`.
    public static func verdict(_ fact: Fact, _ evidence: RunEvidence) -> Verdict {
        switch fact {
        case .only(_, let fact):
            return verdict(fact, evidence)
        case .maxTime(let bound):
            return evidence.seconds <= bound ? .held : .failed("at most \(format(bound)) s expected, took \(shown(evidence.seconds)) s")
        case .minTime(let bound):
            return evidence.seconds >= bound ? .held
                : .failed("at least \(format(bound)) s expected, took \(shown(evidence.seconds)) s: work that should wait for its turn ran at once")
        case .cpuParallelism(let bound):
            guard let cpu = evidence.cpuSeconds, evidence.seconds > 0 else { return .unchecked("the run's CPU time is unknown") }
            let ratio = cpu / evidence.seconds
            return ratio >= bound ? .held
                : .failed("CPU time over wall time at least \(format(bound)) expected, measured \(shown(ratio)) (\(shown(cpu)) s of CPU in \(shown(evidence.seconds)) s)")
        case .tasks(let expected):
            guard let tasks = evidence.tasks else { return .unchecked(noTrace) }
            return expected.admits(tasks.count) ? .held : .failed("\(expected.expectation) tasks expected to run in workers, \(tasks.count) did")
        case .workers(let expected):
            guard let workers = evidence.workers?.count else { return .unchecked(noTrace) }
            return expected.admits(workers) ? .held
                : .failed("\(expected.expectation) distinct worker processes or threads expected, \(workers) ran")
        case .peakTasks(let expected):
            guard let tasks = evidence.tasks else { return .unchecked(noTrace) }
            let peak = RunEvidence.peak(tasks)
            return expected.admits(peak) ? .held : .failed("\(expected.expectation) tasks running at once expected, the most at once was \(peak)")
        case .peakHolds(let expected):
            guard let holds = evidence.holds else { return .unchecked(noHolds) }
            guard !holds.isEmpty else { return .failed(noHoldRecorded) }
            let peak = Dictionary(grouping: holds, by: \.resource).values.map(RunEvidence.peak).max() ?? 0
            return expected.admits(peak) ? .held : .failed("\(expected.expectation) holders at once expected, the most at once was \(peak)")
        case .exclusive:
            guard let holds = evidence.holds else { return .unchecked(noHolds) }
            guard !holds.isEmpty else { return .failed(noHoldRecorded) }
            for (resource, spans) in Dictionary(grouping: holds, by: \.resource).sorted(by: { $0.key < $1.key }) {
                let ordered = spans.sorted { $0.start < $1.start }
                for (a, b) in zip(ordered, ordered.dropFirst()) where b.start < a.end {
                    return .failed("holds of \(resource.isEmpty ? "the lock" : resource) overlap: \(a.owner) held it \(shown(a.start))–\(shown(a.end)) s, \(b.owner) from \(shown(b.start)) s")
                }
            }
            return .held
        case .lineAfterSeconds(let template, let bound):
            guard let first = firstLine(template, evidence) else { return .failed("no line of the output matches \"\(template)\"") }
            return first.seconds >= bound ? .held
                : .failed("not before \(format(bound)) s expected, `\(first.text)` appeared at \(shown(first.seconds)) s")
        case .lineAfterLine(let template, let other):
            guard let first = firstLine(template, evidence) else { return .failed("no line of the output matches \"\(template)\"") }
            guard let reference = firstLine(other, evidence) else { return .failed("no line of the output matches \"\(other)\"") }
            return first.seconds >= reference.seconds ? .held
                : .failed("`\(first.text)` appeared at \(shown(first.seconds)) s, before `\(reference.text)` at \(shown(reference.seconds)) s")
        case .valueAtLeast(let template, let key, let bound):
            guard let first = firstLine(template, evidence), let value = LineTemplate(template).match(first.text)?[key].flatMap(Double.init) else {
                return .failed("no line of the output matches \"\(template)\"")
            }
            return value >= bound ? .held : .failed("\(key) at least \(format(bound)) expected, `\(first.text)` says \(format(value))")
        case .completionOrder(let template, let key):
            let pattern = LineTemplate(template)
            let values = evidence.lines.compactMap { line in pattern.match(line.text)?[key].flatMap(Double.init) }
            guard values.count >= 2 else {
                return .failed("at least two lines matching \"\(template)\" expected, \(values.count) found")
            }
            let inOrder = zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }
            return inOrder ? .held
                : .failed("the lines in ascending order of \(key) (shortest first) expected, they came as \(values.map(format).joined(separator: ", "))")
        }
    }

    private static let noTrace = "this runtime's run reported no pool tasks (no trace)"
    private static let noHolds = "this runtime's trace records no lock holds"
    private static let noHoldRecorded = "no hold of a lock or semaphore was recorded: the program took none"

    private static func firstLine(_ template: String, _ evidence: RunEvidence) -> RunEvidence.TimedLine? {
        let pattern = LineTemplate(template)
        return evidence.lines.first { pattern.match($0.text) != nil }
    }

    /// A measured number with two decimals at most: `7.62`, `0.05`, `3`.
    private static func shown(_ value: Double) -> String { format((value * 100).rounded() / 100) }
}
