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
/// A backtracking search over (pattern element, output line, captures): `...`, `[unordered]`
/// and `[interleaved]` can match in several ways and named captures must agree across the
/// whole output, so a choice made early may have to be undone later. States that failed are
/// remembered, so every state is explored at most once.
public struct OutputMatcher {
    let pattern: OutputPattern
    let actual: [[UInt8]]
    private var failed: Set<String> = []
    private var furthest = 0
    private var furthestCaptures = Captures()

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
        let diff = OutputDiff.render(pattern: pattern, actual: lines)
        var note = ""
        if !matcher.furthestCaptures.values.isEmpty {
            note = "captured: \(matcher.furthestCaptures)\n"
        }
        return MatchResult(matched: false, captures: matcher.furthestCaptures, diff: diff + note)
    }

    // MARK: - Search

    private mutating func note(_ line: Int, _ captures: Captures) {
        if line >= furthest {
            furthest = line
            furthestCaptures = captures
        }
    }

    /// Matches elements from `element` on against lines from `line` on.
    private mutating func search(element: Int, line: Int, captures: Captures) -> Captures? {
        note(line, captures)
        guard element < pattern.elements.count else { return line == actual.count ? captures : nil }
        let key = "e\(element)|\(line)|\(captures.key)"
        if failed.contains(key) { return nil }
        var result: Captures?
        switch pattern.elements[element] {
        case .line(let expected):
            if line < actual.count, let next = expected.template.match(actual[line], captures: captures) {
                result = search(element: element + 1, line: line + 1, captures: next)
            }
        case .anyLines:
            if element + 1 == pattern.elements.count {
                result = captures
                note(actual.count, captures)
            } else {
                for end in line...actual.count {
                    if let found = search(element: element + 1, line: end, captures: captures) {
                        result = found
                        break
                    }
                }
            }
        case .unordered(let expected):
            if line + expected.count <= actual.count {
                var used = [Bool](repeating: false, count: expected.count)
                result = unordered(element: element, expected: expected, start: line, offset: 0, used: &used, captures: captures)
            }
        case .interleaved(let groups):
            let total = groups.reduce(0) { $0 + $1.count }
            if line + total <= actual.count {
                var positions = [Int](repeating: 0, count: groups.count)
                result = interleaved(element: element, groups: groups, start: line, done: 0, total: total,
                                     positions: &positions, captures: captures)
            }
        }
        if result == nil { failed.insert(key) }
        return result
    }

    /// Assigns the output line `start + offset` to one unused expected line, and so on.
    private mutating func unordered(element: Int, expected: [OutputPattern.PatternLine], start: Int, offset: Int,
                                    used: inout [Bool], captures: Captures) -> Captures? {
        if offset == expected.count { return search(element: element + 1, line: start + offset, captures: captures) }
        let key = "u\(element)|\(start)|\(used.map { $0 ? "1" : "0" }.joined())|\(captures.key)"
        if failed.contains(key) { return nil }
        note(start + offset, captures)
        let line = actual[start + offset]
        var tried = Set<String>()
        for index in expected.indices where !used[index] {
            // Identical expected lines are interchangeable: try one of them.
            guard tried.insert(expected[index].template.text).inserted else { continue }
            guard let next = expected[index].template.match(line, captures: captures) else { continue }
            used[index] = true
            let found = unordered(element: element, expected: expected, start: start, offset: offset + 1, used: &used, captures: next)
            used[index] = false
            if let found { return found }
        }
        failed.insert(key)
        return nil
    }

    /// Takes the output line `start + done` as the next line of one of the groups, and so on.
    private mutating func interleaved(element: Int, groups: [[OutputPattern.PatternLine]], start: Int, done: Int, total: Int,
                                      positions: inout [Int], captures: Captures) -> Captures? {
        if done == total { return search(element: element + 1, line: start + done, captures: captures) }
        let key = "i\(element)|\(start)|\(positions.map(String.init).joined(separator: ","))|\(captures.key)"
        if failed.contains(key) { return nil }
        note(start + done, captures)
        let line = actual[start + done]
        for group in groups.indices where positions[group] < groups[group].count {
            guard let next = groups[group][positions[group]].template.match(line, captures: captures) else { continue }
            positions[group] += 1
            let found = interleaved(element: element, groups: groups, start: start, done: done + 1, total: total,
                                    positions: &positions, captures: next)
            positions[group] -= 1
            if let found { return found }
        }
        failed.insert(key)
        return nil
    }
}
