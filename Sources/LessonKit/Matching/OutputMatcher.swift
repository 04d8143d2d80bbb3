/// The outcome of matching a program's output against an expected block.
public struct MatchResult: Sendable {
    /// Whether the output matches.
    public var matched: Bool
    /// The named values captured (of the full match, or of the longest partial match).
    public var captures: Captures
    /// A unified diff of expected against actual, with a note on captured values; empty on a match.
    public var diff: String
}

/// Matches output against an ``OutputPattern``.
///
/// A backtracking search over (pattern element, output line, captures): `...`, `[unordered]`,
/// `[interleaved]` and `[repeat]` can match in several ways and named captures must agree across
/// the whole output, so a choice made early may have to be undone later. States that failed are
/// remembered, so every state is explored at most once; the state of an `[interleaved]` block is
/// the position in each group, so repeated groups stay polynomial in the output's length. Set
/// look-ups (`[INT:in made]`) are checked when a whole match is found; a match whose look-ups
/// fail counts as a failed state. A search that visits more than ``stepLimit`` states gives up.
public struct OutputMatcher {
    let pattern: OutputPattern
    let actual: [[UInt8]]
    private var failed: Set<String> = []
    private var furthest = 0
    private var furthestCaptures = Captures()
    private var unmetLookup: String?
    private var steps = 0

    /// The most search states one match may visit before it gives up (reported as a mismatch).
    public static let stepLimit = 2_000_000

    // MARK: - Entry points

    /// Matches `output` against the expected `text`.
    ///
    /// - Throws: ``OutputPatternError`` when `expected` is malformed.
    public static func match(expected text: String, actual output: String) throws(OutputPatternError) -> MatchResult {
        let pattern = try OutputPattern(parsing: text)
        return match(pattern, actual: output)
    }

    /// Matches `output` against `pattern`.
    public static func match(_ pattern: OutputPattern, actual output: String) -> MatchResult {
        let lines = OutputPattern.lines(of: output)
        var matcher = OutputMatcher(pattern: pattern, actual: lines.map { Array($0.utf8) })
        if let captures = matcher.search(element: 0, line: 0, captures: Captures()) {
            return MatchResult(matched: true, captures: captures, diff: "")
        }
        var diff: String
        if matcher.steps > OutputMatcher.stepLimit {
            diff = "gave up after \(OutputMatcher.stepLimit) search states: the expected block allows too many ways to match this output; make its lines more specific\n"
        } else if let unmet = matcher.unmetLookup {
            diff = "every line has its place, but \(unmet)\n"
        } else {
            diff = OutputDiff.render(pattern: pattern, actual: lines)
        }
        if !matcher.furthestCaptures.values.isEmpty {
            diff += "captured: \(matcher.furthestCaptures)\n"
        }
        return MatchResult(matched: false, captures: matcher.furthestCaptures, diff: diff)
    }

    // MARK: - Search

    private mutating func note(_ line: Int, _ captures: Captures) {
        if line >= furthest {
            furthest = line
            furthestCaptures = captures
        }
    }

    /// Counts a visited state; false once the search has used up its steps.
    private mutating func step() -> Bool {
        steps += 1
        return steps <= OutputMatcher.stepLimit
    }

    /// The captures of a complete match, when every set look-up finds its value.
    private mutating func complete(_ captures: Captures) -> Captures? {
        if let unmet = captures.unmetLookup {
            if unmetLookup == nil { unmetLookup = unmet }
            return nil
        }
        return captures
    }

    /// Matches elements from `element` on against lines from `line` on.
    private mutating func search(element: Int, line: Int, captures: Captures) -> Captures? {
        note(line, captures)
        guard element < pattern.elements.count else { return line == actual.count ? complete(captures) : nil }
        let key = "e\(element)|\(line)|\(captures.key)"
        if failed.contains(key) || !step() { return nil }
        var result: Captures?
        switch pattern.elements[element] {
        case .line(let expected):
            if line < actual.count, let next = expected.template.match(actual[line], captures: captures) {
                result = search(element: element + 1, line: line + 1, captures: next)
            }
        case .anyLines:
            if element + 1 == pattern.elements.count {
                result = complete(captures)
                note(actual.count, captures)
            } else {
                for end in line...actual.count {
                    if let found = search(element: element + 1, line: end, captures: captures) {
                        result = found
                        break
                    }
                }
            }
        case .repeated(let body):
            if line + body.count <= actual.count {
                result = repeated(element: element, body: body, position: 0, line: line, captures: captures)
            }
        case .unordered(let expected):
            if line + expected.count <= actual.count {
                var used = [Bool](repeating: false, count: expected.count)
                result = unordered(element: element, expected: expected, line: line, used: &used, captures: captures)
            }
        case .interleaved(let groups):
            let total = groups.reduce(0) { $0 + $1.count }
            if line + total <= actual.count {
                var positions = [Int](repeating: 0, count: groups.count)
                result = interleaved(element: element, groups: groups, line: line, positions: &positions, captures: captures)
            }
        }
        if result == nil { failed.insert(key) }
        return result
    }

    /// Matches a `[repeat]` body from `position` at `line`; after its last line, either the body
    /// again or the next element.
    private mutating func repeated(element: Int, body: [OutputPattern.PatternLine], position: Int, line: Int,
                                   captures: Captures) -> Captures? {
        note(line, captures)
        let key = "r\(element)|\(position)|\(line)|\(captures.key)"
        if failed.contains(key) || !step() { return nil }
        var result: Captures?
        if line < actual.count, let next = body[position].template.match(actual[line], captures: captures) {
            if position + 1 < body.count {
                result = repeated(element: element, body: body, position: position + 1, line: line + 1, captures: next)
            } else {
                result = search(element: element + 1, line: line + 1, captures: next)
                    ?? repeated(element: element, body: body, position: 0, line: line + 1, captures: next)
            }
        }
        if result == nil { failed.insert(key) }
        return result
    }

    /// Assigns the output line `line` to one expected line not used yet (or to a repeated
    /// one), and so on; once every expected line has been used, the block may end.
    private mutating func unordered(element: Int, expected: [OutputPattern.PatternLine], line: Int,
                                    used: inout [Bool], captures: Captures) -> Captures? {
        let allUsed = !used.contains(false)
        let repeats = expected.contains { $0.loopStart != nil }
        if allUsed, !repeats { return search(element: element + 1, line: line, captures: captures) }
        let key = "u\(element)|\(line)|\(used.map { $0 ? "1" : "0" }.joined())|\(captures.key)"
        if failed.contains(key) || !step() { return nil }
        note(line, captures)
        if allUsed, let found = search(element: element + 1, line: line, captures: captures) { return found }
        if line < actual.count {
            var tried = Set<String>()
            for index in expected.indices where !used[index] || expected[index].loopStart != nil {
                // Identical expected lines are interchangeable: try one of them.
                let repeating = expected[index].loopStart != nil
                guard tried.insert((repeating ? "+" : "=") + expected[index].template.text).inserted else { continue }
                guard let next = expected[index].template.match(actual[line], captures: captures) else { continue }
                let wasUsed = used[index]
                used[index] = true
                let found = unordered(element: element, expected: expected, line: line + 1, used: &used, captures: next)
                used[index] = wasUsed
                if let found { return found }
            }
        }
        failed.insert(key)
        return nil
    }

    /// Takes the output line `line` as the next line of one of the groups, and so on. A group
    /// that has just matched the last line of a `[repeat]` body may also go back to its start.
    private mutating func interleaved(element: Int, groups: [[OutputPattern.PatternLine]], line: Int,
                                      positions: inout [Int], captures: Captures) -> Captures? {
        let finished = groups.indices.allSatisfy { positions[$0] == groups[$0].count }
        let repeats = groups.contains { $0.contains { $0.loopStart != nil } }
        if finished, !repeats { return search(element: element + 1, line: line, captures: captures) }
        let key = "i\(element)|\(line)|\(positions.map(String.init).joined(separator: ","))|\(captures.key)"
        if failed.contains(key) || !step() { return nil }
        note(line, captures)
        if finished, let found = search(element: element + 1, line: line, captures: captures) { return found }
        if line < actual.count {
            for group in groups.indices {
                let position = positions[group]
                var candidates: [Int] = []
                if position < groups[group].count { candidates.append(position) }
                if position > 0, let start = groups[group][position - 1].loopStart { candidates.append(start) }
                for candidate in candidates {
                    guard let next = groups[group][candidate].template.match(actual[line], captures: captures) else { continue }
                    positions[group] = candidate + 1
                    let found = interleaved(element: element, groups: groups, line: line + 1, positions: &positions, captures: next)
                    positions[group] = position
                    if let found { return found }
                }
            }
        }
        failed.insert(key)
        return nil
    }
}
