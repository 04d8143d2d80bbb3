
// MARK: - Terminal timeline

/// Draws a ``Timeline`` as text: one line per process, a bar from its start to its exit with
/// its tasks marked on it, an axis underneath.
///
/// ```
/// Timeline (3 processes, 1.02 s)
/// MainProcess  4100 │━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━│
/// Process-1    4101 │ ━━━━━━━━━━━━━━━━━                    │ exit 0
///                   0 ms                             1.02 s
/// ```
///
/// On a terminal it uses box-drawing characters and colour; elsewhere (a pipe, a file, a CI
/// log) it uses plain ASCII and no escape sequences.
public struct TimelineTerminalRenderer: Sendable {
    /// The total width of every line, in terminal columns.
    public var width: Int
    /// Whether to emit ANSI colour.
    public var color: Bool
    /// Whether to use box-drawing and block characters (otherwise ASCII).
    public var unicode: Bool

    /// - Parameters:
    ///   - width: the terminal width; lines never exceed it (the bar shrinks, to a minimum).
    ///   - color: ANSI colour, for a terminal only.
    ///   - unicode: box and block characters, for a terminal only; ASCII otherwise.
    public init(width: Int = 80, color: Bool = false, unicode: Bool = false) {
        self.width = width
        self.color = color
        self.unicode = unicode
    }

    /// A renderer for the current standard output: colour and Unicode on a terminal (colour
    /// not with `NO_COLOR`), ASCII in a pipe; width from `COLUMNS`, else 80.
    public static func forStandardOutput() -> TimelineTerminalRenderer {
        let tty = isTerminal(1)
        let width = terminalColumns(1)
        let noColor = environmentValue("NO_COLOR").map { !$0.isEmpty } ?? false
        return TimelineTerminalRenderer(width: width, color: tty && !noColor, unicode: tty)
    }

    // MARK: - Glyphs

    private var idle: Character { unicode ? "━" : "-" }
    private var taskGlyphs: [Character] { unicode ? ["█", "▓"] : ["#", "="] }
    private var failedGlyph: Character { unicode ? "▒" : "x" }
    private var edge: Character { unicode ? "│" : "|" }

    // MARK: - Rendering

    /// The timeline as lines of text (without trailing newlines); empty when there is nothing
    /// to draw.
    public func render(_ timeline: Timeline) -> [String] {
        guard !timeline.isEmpty else { return [] }
        let nameWidth = min(18, timeline.rows.map { TextWidth.width(of: $0.name) + 2 * $0.depth }.max() ?? 4)
        let pidWidth = timeline.rows.map { String($0.pid).count }.max() ?? 1
        let statusWidth = timeline.rows.map { Timeline.status(of: $0).count }.max() ?? 0
        let labelWidth = nameWidth + 1 + pidWidth + 1
        let fixed = labelWidth + 2 + (statusWidth > 0 ? statusWidth + 1 : 0)
        let barWidth = max(10, width - fixed)
        let span = max(timeline.duration, 1)

        var lines: [String] = []
        let count = timeline.rows.count
        let total = format(timeline.duration)
        lines.append(paint("Timeline (\(count) process\(count == 1 ? "" : "es"), \(total))", "1"))

        for (rowIndex, row) in timeline.rows.enumerated() {
            let indent = String(repeating: " ", count: min(2 * row.depth, max(0, nameWidth - 4)))
            let name = fit(indent + row.name, nameWidth)
            let pid = String(repeating: " ", count: pidWidth - String(row.pid).count) + String(row.pid)
            var line = paint(name, row.isMain ? "1" : "") + " " + paint(pid, "2") + " " + String(edge)
            line += bar(row, rowIndex: rowIndex, width: barWidth, span: span)
            line += String(edge)
            let status = Timeline.status(of: row)
            if !status.isEmpty {
                line += " " + paint(status, Timeline.endedBadly(row) ? "31" : "2")
            }
            lines.append(line)
        }

        // The axis: start, middle and end times under the bar.
        let start = format(0), middle = format(timeline.duration / 2), end = format(timeline.duration)
        var axis = Array(repeating: Character(" "), count: barWidth + 2)
        place(start, at: 1, in: &axis)
        if barWidth >= start.count + middle.count + end.count + 6 {
            place(middle, at: 1 + barWidth / 2 - middle.count / 2, in: &axis)
        }
        place(end, at: barWidth + 1 - end.count, in: &axis)
        lines.append(String(repeating: " ", count: labelWidth) + paint(String(axis).trailingTrimmed, "2"))

        if timeline.hasTasks {
            let legend = "\(idle) alive  \(taskGlyphs[0])\(taskGlyphs[1]) tasks  \(failedGlyph) failed task"
            let indent = labelWidth + 1 + legend.count <= width ? labelWidth + 1 : 0
            lines.append(String(repeating: " ", count: indent) + paint(legend, "2"))
        }
        return lines
    }

    /// The timeline as one string ending in a newline, or `""` when there is nothing to draw.
    public func renderText(_ timeline: Timeline) -> String {
        let lines = render(timeline)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// One row's bar: blank outside the process's life, the idle glyph while alive, a task
    /// glyph where a task covers most of the column.
    private func bar(_ row: Timeline.Row, rowIndex: Int, width: Int, span: UInt64) -> String {
        func column(_ t: UInt64) -> Int { min(width - 1, Int(Double(t) / Double(span) * Double(width))) }
        var cells = Array(repeating: Character(" "), count: width)
        var kinds = Array(repeating: 0, count: width)  // 0 blank, 1 alive, 2 task, 3 failed
        let first = column(row.start), last = max(first, column(row.end))
        for c in first...last { cells[c] = idle; kinds[c] = 1 }

        // For each column, the task covering most of it.
        var best = Array(repeating: (overlap: UInt64(0), task: -1), count: width)
        let columnSpan = Double(span) / Double(width)
        for (i, task) in row.tasks.enumerated() {
            let end = task.end ?? row.end
            let a = column(task.start), b = max(a, column(end))
            for c in a...b {
                let lo = max(Double(task.start), Double(c) * columnSpan)
                let hi = min(Double(end), Double(c + 1) * columnSpan)
                let overlap = UInt64(max(1, hi - lo))
                if overlap > best[c].overlap { best[c] = (overlap, i) }
            }
        }
        for c in 0..<width where best[c].task >= 0 {
            let task = row.tasks[best[c].task]
            if task.failed || task.end == nil {
                cells[c] = failedGlyph; kinds[c] = 3
            } else {
                cells[c] = taskGlyphs[best[c].task % 2]; kinds[c] = 2
            }
        }

        guard color else { return String(cells) }
        let palette = ["36", "32", "33", "35", "34", "96"]
        let taskColor = row.isMain ? "37" : palette[(rowIndex - 1 + palette.count) % palette.count]
        var out = ""
        var current = -1
        for c in 0..<width {
            if kinds[c] != current {
                if current > 0 { out += "\u{1B}[0m" }
                current = kinds[c]
                switch current {
                case 1: out += row.isMain ? "\u{1B}[2m" : "\u{1B}[\(taskColor)m"
                case 2: out += "\u{1B}[1;\(taskColor)m"
                case 3: out += "\u{1B}[31m"
                default: break
                }
            }
            out.append(cells[c])
        }
        if current > 0 { out += "\u{1B}[0m" }
        return out
    }

    // MARK: - Helpers

    private func format(_ ns: UInt64) -> String {
        unicode ? Timeline.formatDuration(ns) : Timeline.formatDurationASCII(ns)
    }

    private func paint(_ text: String, _ code: String) -> String {
        guard color, !code.isEmpty else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func place(_ text: String, at offset: Int, in cells: inout [Character]) {
        for (i, ch) in text.enumerated() where offset + i >= 0 && offset + i < cells.count {
            cells[offset + i] = ch
        }
    }

    /// `text` cut or padded to exactly `width` columns (an ellipsis marks a cut).
    private func fit(_ text: String, _ width: Int) -> String {
        var out = ""
        var used = 0
        let ellipsis = unicode ? "…" : "~"
        if TextWidth.width(of: text) <= width {
            return text + String(repeating: " ", count: width - TextWidth.width(of: text))
        }
        for ch in text {
            let w = TextWidth.width(of: String(ch))
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        out += ellipsis
        used += 1
        return out + String(repeating: " ", count: max(0, width - used))
    }
}

extension String {
    fileprivate var trailingTrimmed: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
