/// Unified diffs (`--- expected`, `+++ actual`, `@@` hunks with three lines of context).
public enum UnifiedDiff {
    /// The diff of two texts, line by line; empty when they are equal.
    public static func diff(_ old: String, _ new: String, oldLabel: String = "expected", newLabel: String = "actual") -> String {
        var a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Texts that end with a newline: no empty line after the last one.
        if a.last == "", b.last == "" { a.removeLast(); b.removeLast() }
        let rows = align(a.count, b.count, gaps: []) { a[$0] == b[$1] }
        return render(rows, old: a, new: b, oldLabel: oldLabel, newLabel: newLabel)
    }

    // MARK: - Alignment

    /// One row of an alignment.
    enum Row: Equatable {
        /// Old line i and new line j are equal.
        case same(Int, Int)
        /// Old line i is missing from the new text.
        case removed(Int)
        /// New line j is not in the old text.
        case added(Int)
        /// Old line i is a gap (`...`) that stands for new lines j..<k.
        case gap(Int, Range<Int>)
    }

    /// The cheapest alignment (fewest added and removed lines) of `n` old against `m` new
    /// lines. Old lines in `gaps` absorb any number of new lines for free.
    static func align(_ n: Int, _ m: Int, gaps: Set<Int>, equal: (Int, Int) -> Bool) -> [Row] {
        // cost[i][j]: cheapest alignment of old[i...] with new[j...].
        let width = m + 1
        var cost = [Int32](repeating: 0, count: (n + 1) * width)
        func at(_ i: Int, _ j: Int) -> Int32 { cost[i * width + j] }
        for i in stride(from: n, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) {
                if i == n { cost[i * width + j] = Int32(m - j); continue }
                if gaps.contains(i) {
                    cost[i * width + j] = j < m ? min(at(i + 1, j), at(i, j + 1)) : at(i + 1, j)
                    continue
                }
                var best = 1 + at(i + 1, j)
                if j < m {
                    best = min(best, 1 + at(i, j + 1))
                    if equal(i, j) { best = min(best, at(i + 1, j + 1)) }
                }
                cost[i * width + j] = best
            }
        }
        var rows: [Row] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i == n { rows.append(.added(j)); j += 1; continue }
            if gaps.contains(i) {
                let start = j
                while j < m, at(i, j + 1) <= at(i + 1, j) && at(i, j) == at(i, j + 1) { j += 1 }
                rows.append(.gap(i, start..<j))
                i += 1
                continue
            }
            if j < m, equal(i, j), at(i, j) == at(i + 1, j + 1) {
                rows.append(.same(i, j)); i += 1; j += 1
            } else if at(i, j) == 1 + at(i + 1, j) {
                rows.append(.removed(i)); i += 1
            } else {
                rows.append(.added(j)); j += 1
            }
        }
        return rows
    }

    // MARK: - Rendering

    static func render(_ rows: [Row], old: [String], new: [String], oldLabel: String, newLabel: String) -> String {
        let changed = rows.indices.filter { index in
            switch rows[index] {
            case .removed, .added: true
            default: false
            }
        }
        guard !changed.isEmpty else { return "" }
        // Hunks: changed rows with three rows of context, merged when they touch.
        var ranges: [Range<Int>] = []
        for index in changed {
            let range = max(0, index - 3)..<min(rows.count, index + 4)
            if let last = ranges.last, range.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        for range in ranges {
            var oldStart = 0, newStart = 0, oldCount = 0, newCount = 0
            // Line numbers where the hunk starts.
            for row in rows[..<range.lowerBound] {
                switch row {
                case .same: oldStart += 1; newStart += 1
                case .removed: oldStart += 1
                case .added: newStart += 1
                case .gap(_, let lines): oldStart += 1; newStart += lines.count
                }
            }
            var body = ""
            for row in rows[range] {
                switch row {
                case .same(let i, let j):
                    oldCount += 1; newCount += 1
                    body += " " + (old[i] == new[j] ? old[i] : new[j]) + "\n"
                case .removed(let i):
                    oldCount += 1
                    body += "-" + old[i] + "\n"
                case .added(let j):
                    newCount += 1
                    body += "+" + new[j] + "\n"
                case .gap(let i, let lines):
                    oldCount += 1; newCount += lines.count
                    body += " " + old[i] + (lines.isEmpty ? "" : "   (\(lines.count) line\(lines.count == 1 ? "" : "s"))") + "\n"
                }
            }
            out += "@@ -\(oldStart + 1),\(oldCount) +\(newStart + 1),\(newCount) @@\n" + body
        }
        return out
    }
}

/// The diff shown when output does not match a pattern.
enum OutputDiff {
    /// The largest alignment table computed; longer output is cut for the diff.
    static let maximumCells = 4_000_000

    static func render(pattern: OutputPattern, actual: [String]) -> String {
        let expected = pattern.lines
        var templates: [LineTemplate?] = expected.map { _ in nil }
        var gaps = Set<Int>()
        for element in pattern.elements {
            switch element {
            case .line(let line): templates[line.index] = line.template
            case .anyLines(let index): gaps.insert(index)
            case .unordered(let lines): for line in lines { templates[line.index] = line.template }
            case .interleaved(let groups): for line in groups.joined() { templates[line.index] = line.template }
            }
        }
        // Block markers (`[unordered]`, `---`, ...) take no output line: treat them as gaps too.
        for index in expected.indices where templates[index] == nil { gaps.insert(index) }
        var shown = actual
        var note = ""
        let limit = maximumCells / max(1, expected.count + 1)
        if shown.count > limit {
            note = "(diff shows the first \(limit) of \(actual.count) output lines)\n"
            shown = Array(shown.prefix(limit))
        }
        let bytes = shown.map { Array($0.utf8) }
        let rows = UnifiedDiff.align(expected.count, shown.count, gaps: gaps) { i, j in
            templates[i]?.match(bytes[j], captures: Captures()) != nil
        }
        var diff = UnifiedDiff.render(rows, old: expected, new: shown, oldLabel: "expected", newLabel: "actual")
        if diff.isEmpty {
            diff = conflictNote(rows: rows, templates: templates, actual: bytes, expected: expected)
        }
        return diff + note
    }

    /// When every line matches on its own, the named values must be what disagrees: say where.
    static func conflictNote(rows: [UnifiedDiff.Row], templates: [LineTemplate?], actual: [[UInt8]], expected: [String]) -> String {
        var seen: [String: (value: String, line: Int)] = [:]
        for row in rows {
            guard case .same(let i, let j) = row, let template = templates[i],
                  let captures = template.match(actual[j], captures: Captures()) else { continue }
            for capture in captures.values {
                if let first = seen[capture.name], first.value != capture.value {
                    return "every line matches on its own, but [\(capture.kind.rawValue):\(capture.name)] is \(first.value) on output line \(first.line + 1) and \(capture.value) on output line \(j + 1)\n"
                }
                if seen[capture.name] == nil { seen[capture.name] = (capture.value, j) }
            }
        }
        return "every line matches on its own, but not in an order the [unordered]/[interleaved] blocks allow\n"
    }
}
