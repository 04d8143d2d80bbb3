/// Reads a facts block: one ``Fact`` per line, `#` starts a comment.
///
/// ~~~
/// ```facts demo=pool-map
/// max-time 5 s          # serial: 7.5 s
/// workers 4
/// peak-tasks 4
/// ```
/// ~~~
///
/// Bad input is reported, never guessed at: an unknown fact, a bound that is not a finite
/// positive number, a malformed line template, a fact stated twice, and facts that contradict
/// each other (``contradictions(in:timeout:)``).
public enum FactParser {
    /// A problem on one line of a facts block (`line` counts from 1, the block's first line).
    public struct Problem: Error, Equatable, Sendable {
        /// The line within the block.
        public var line: Int
        /// What is wrong and how to write it instead.
        public var reason: String
    }

    /// Every fact name with the form it takes, for error messages and the documentation.
    public static let forms = [
        "max-time <seconds> s", "min-time <seconds> s", "cpu-parallelism <ratio>", "tasks <count>", "workers <count>",
        "peak-tasks <count>", "peak-holds <count>", "exclusive", "line \"<line>\" after <seconds> s",
        "line \"<line>\" after \"<other line>\"", "completion-order \"<line>\" by <capture>",
        "value \"<line>\" <capture> >= <number>", "<fact> for <runtime>, <runtime>",
    ]

    /// The facts of a block's text, and the problems found.
    public static func parse(_ text: String) -> (facts: [Fact], problems: [Problem]) {
        var facts: [Fact] = []
        var problems: [Problem] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            do {
                if let fact = try parseLine(String(line)) { facts.append(fact) }
            } catch {
                problems.append(Problem(line: offset + 1, reason: error.reason))
            }
        }
        return (facts, problems)
    }

    /// One fact from one line, or nil for a blank or comment line.
    public static func parseLine(_ line: String) throws(Problem) -> Fact? {
        var words = try words(of: line)
        guard !words.isEmpty else { return nil }
        var runtimes: [Runtime]?
        if let index = words.lastIndex(of: Word(text: "for", quoted: false)) {
            let names = words[(index + 1)...].map(\.text).joined(separator: " ").split(whereSeparator: { $0 == "," || $0 == " " })
            let parsed = names.compactMap { Runtime(rawValue: String($0)) }
            guard !names.isEmpty, parsed.count == names.count, !words[(index + 1)...].contains(where: \.quoted) else {
                throw Problem(line: 0, reason: "`\(line.trimmed(of: " \t"))`: after `for` come runtimes: swift, python, node (e.g. `workers 4 for swift, python`)")
            }
            runtimes = parsed
            words.removeSubrange(index...)
        }
        guard let fact = try parseFact(words, line: line) else { return nil }
        return runtimes.map { .only($0, fact) } ?? fact
    }

    private static func parseFact(_ words: [Word], line: String) throws(Problem) -> Fact? {
        guard let name = words.first else { return nil }
        let arguments = Array(words.dropFirst())
        func fail(_ reason: String) -> Problem { Problem(line: 0, reason: reason) }
        func seconds(_ words: ArraySlice<Word>, example: String) throws(Problem) -> Double {
            let values = words.map(\.text)
            guard values.count == 1 || (values.count == 2 && values[1] == "s"), !words.contains(where: \.quoted),
                  let value = positiveNumber(values[0].hasSuffix("s") && values.count == 1 ? String(values[0].dropLast()) : values[0]) else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected a finite number of seconds > 0, e.g. `\(example)`")
            }
            return value
        }
        func count(example: String) throws(Problem) -> Count {
            let texts = arguments.map(\.text)
            let relation: Count.Relation? = texts.count == 1 ? .exactly : texts.count == 2 ? Count.Relation(rawValue: texts[0]) : nil
            guard let relation, relation != .exactly || texts.count == 1, !arguments.contains(where: \.quoted),
                  let value = texts.last.flatMap({ Int($0) }), value > 0 else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected a whole number > 0, alone (exactly) or after >= or <=, e.g. `\(example)`")
            }
            return Count(value, relation)
        }
        func template(_ word: Word, example: String) throws(Problem) -> String {
            guard word.quoted else { throw fail("`\(line.trimmed(of: " \t"))`: the line goes in double quotes, e.g. `\(example)`") }
            if let problem = LineTemplate(word.text).problem { throw fail("line template \"\(word.text)\": \(problem)") }
            return word.text
        }
        switch name.quoted ? "" : name.text {
        case "max-time": return .maxTime(try seconds(arguments[...], example: "max-time 5 s"))
        case "min-time": return .minTime(try seconds(arguments[...], example: "min-time 2.8 s"))
        case "cpu-parallelism":
            guard arguments.count == 1, !arguments[0].quoted, let ratio = positiveNumber(arguments[0].text) else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected a finite ratio > 0 (CPU time over wall time), e.g. `cpu-parallelism 1.5`")
            }
            return .cpuParallelism(ratio)
        case "tasks": return .tasks(try count(example: "tasks 100"))
        case "workers": return .workers(try count(example: "workers 4"))
        case "peak-tasks": return .peakTasks(try count(example: "peak-tasks 4"))
        case "peak-holds": return .peakHolds(try count(example: "peak-holds 2"))
        case "exclusive":
            guard arguments.isEmpty else { throw fail("`exclusive` takes nothing after it") }
            return .exclusive
        case "line":
            let example = "line \"Waiter-[INT] event received!\" after 1.5 s"
            guard arguments.count >= 3, arguments[1].text == "after", !arguments[1].quoted else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected `\(example)` or `line \"<line>\" after \"<other line>\"`")
            }
            let line = try template(arguments[0], example: example)
            if arguments.count == 3, arguments[2].quoted {
                return .lineAfterLine(template: line, other: try template(arguments[2], example: example))
            }
            return .lineAfterSeconds(template: line, seconds: try seconds(arguments[2...], example: example))
        case "completion-order":
            let example = "completion-order \"Completed: slept [FLOAT:took] s\" by took"
            guard arguments.count == 3, arguments[1].text == "by", !arguments[1].quoted, !arguments[2].quoted else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected `\(example)`")
            }
            let line = try template(arguments[0], example: example)
            let captures = LineTemplate(line).tokens.contains { if case .value(_, arguments[2].text) = $0 { true } else { false } }
            guard captures else {
                throw fail("completion-order: the line \"\(line)\" captures no value named `\(arguments[2].text)`; write e.g. `[FLOAT:\(arguments[2].text)]` in it")
            }
            return .completionOrder(template: line, key: arguments[2].text)
        case "value":
            let example = "value \"Counter: [INT:count]\" count >= 1000"
            guard arguments.count == 4, !arguments[1].quoted, arguments[2].text == ">=", !arguments[3].quoted,
                  let bound = Double(arguments[3].text), bound.isFinite else {
                throw fail("`\(line.trimmed(of: " \t"))`: expected `\(example)`")
            }
            let line = try template(arguments[0], example: example)
            let key = arguments[1].text
            guard LineTemplate(line).tokens.contains(where: { if case .value(_, key) = $0 { true } else { false } }) else {
                throw fail("value: the line \"\(line)\" captures no value named `\(key)`; write e.g. `[INT:\(key)]` in it")
            }
            return .valueAtLeast(template: line, key: key, bound: bound)
        default:
            throw fail("unknown fact `\(name.text)`; a fact is one of: " + forms.map { "`\($0)`" }.joined(separator: ", "))
        }
    }

    /// Facts of one sample that cannot all hold, or that its time limit makes impossible: each
    /// problem names both. `min-time` above `max-time`, a bound at or beyond the time limit, a
    /// line that must appear only after the run must have ended, more tasks at once than
    /// workers, `exclusive` beside `peak-holds` above 1, a fact stated twice.
    public static func contradictions(in stated: [Fact], timeout: Double) -> [String] {
        var problems: [String] = []
        let facts = stated.map(\.unrestricted)
        var seen: [String: Fact] = [:]
        for stated in stated {
            let fact = stated.unrestricted
            var key: String = switch fact {
            case .lineAfterSeconds(let t, _), .lineAfterLine(let t, _): "line \(t)"
            case .completionOrder(let t, _): "completion-order \(t)"
            default: fact.name
            }
            // `tasks 16 for swift, python` and `tasks 4 for node` state different things.
            if case .only(let runtimes, _) = stated { key += " for " + runtimes.map(\.rawValue).sorted().joined(separator: ",") }
            if let first = seen[key] {
                problems.append("`\(fact)` states again what `\(first)` states; keep one")
            } else {
                seen[key] = fact
            }
        }
        let maximum = facts.lazy.compactMap { if case .maxTime(let s) = $0 { s } else { nil } }.first
        let minimum = facts.lazy.compactMap { if case .minTime(let s) = $0 { s } else { nil } }.first
        if let minimum, let maximum, minimum > maximum {
            problems.append("`min-time \(format(minimum)) s` is more than `max-time \(format(maximum)) s`: no run can take both")
        }
        for case (let name, let bound?) in [("max-time", maximum), ("min-time", minimum)] where bound >= timeout {
            problems.append("`\(name) \(format(bound)) s` is not below the time limit timeout=\(format(timeout)): raise timeout= on the output block")
        }
        for case .lineAfterSeconds(let template, let after) in facts {
            if let maximum, after >= maximum {
                problems.append("`line \"\(template)\" after \(format(after)) s` cannot hold when the whole run takes at most \(format(maximum)) s (max-time)")
            }
        }
        for case .lineAfterLine(let template, let other) in facts where template == other {
            problems.append("`line \"\(template)\" after` itself: name another line")
        }
        let workers = facts.lazy.compactMap { if case .workers(let n) = $0 { n } else { nil } }.first
        let peakTasks = facts.lazy.compactMap { if case .peakTasks(let n) = $0 { n } else { nil } }.first
        if let workers, let peakTasks, peakTasks.lowest > workers.highest {
            problems.append("`peak-tasks \(peakTasks)` needs more workers than `workers \(workers)`: a worker runs one task at a time")
        }
        let tasks = facts.lazy.compactMap { if case .tasks(let n) = $0 { n } else { nil } }.first
        if let tasks, let peakTasks, peakTasks.lowest > tasks.highest {
            problems.append("`peak-tasks \(peakTasks)` needs more tasks than `tasks \(tasks)`")
        }
        let peakHolds = facts.lazy.compactMap { if case .peakHolds(let n) = $0 { n } else { nil } }.first
        if let peakHolds, peakHolds.lowest > 1, facts.contains(.exclusive) {
            problems.append("`exclusive` says one holder at a time, `peak-holds \(peakHolds)` says more")
        }
        return problems
    }

    // MARK: - Words

    /// A word of a fact line: bare, or in double quotes (with `\"` and `\\` escapes).
    struct Word: Equatable {
        var text: String
        var quoted: Bool
    }

    /// The words of `line` up to a `#` outside quotes.
    static func words(of line: String) throws(Problem) -> [Word] {
        var words: [Word] = []
        var characters = Substring(line)
        while let first = characters.first {
            if first == " " || first == "\t" { characters.removeFirst(); continue }
            if first == "#" { break }
            if first == "\"" {
                characters.removeFirst()
                var text = ""
                var closed = false
                while let c = characters.popFirst() {
                    if c == "\\", let next = characters.popFirst() { text.append(next); continue }
                    if c == "\"" { closed = true; break }
                    text.append(c)
                }
                guard closed else { throw Problem(line: 0, reason: "a quoted line is never closed: end it with `\"`") }
                words.append(Word(text: text, quoted: true))
            } else {
                let word = characters.prefix { $0 != " " && $0 != "\t" && $0 != "\"" }
                characters.removeFirst(word.count)
                words.append(Word(text: String(word), quoted: false))
            }
        }
        return words
    }
}
