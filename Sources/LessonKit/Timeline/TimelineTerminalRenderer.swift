
// MARK: - Terminal timeline

/// Draws a ``Timeline`` as text: one line per process (and per thread its program reported,
/// under it), a bar from its start to its exit with its tasks, lock holds and queue operations
/// marked on it, an axis underneath. ``render(comparing:)`` draws several runs on one scale.
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
    private var threadIdle: Character { unicode ? "─" : "." }
    private var taskGlyphs: [Character] { unicode ? ["█", "▓"] : ["#", "="] }
    private var failedGlyph: Character { unicode ? "▒" : "x" }
    private var holdGlyph: Character { unicode ? "▄" : "L" }
    private var putGlyph: Character { unicode ? "▲" : "^" }
    private var getGlyph: Character { unicode ? "▼" : "v" }
    private var edge: Character { unicode ? "│" : "|" }

    // MARK: - Rendering

    /// The timeline as lines of text (without trailing newlines); empty when there is nothing
    /// to draw.
    public func render(_ timeline: Timeline) -> [String] {
        guard !timeline.isEmpty else { return [] }
        let layout = Layout(timelines: [timeline], width: width)
        let count = timeline.rows.count
        var lines = [paint("Timeline (\(count) process\(count == 1 ? "" : "es"), \(format(timeline.duration)))", "1")]
        lines += body(timeline, layout: layout)
        lines.append(axis(layout))
        lines += legend([timeline], layout: layout)
        return lines
    }

    /// Several runs of one sample on one time scale: the same time is the same column in
    /// each, so their lengths compare at a glance. Each run gets a heading (its label, its
    /// process count and length); one axis and one legend follow, then a caption naming the
    /// model each run shows (``Timeline/caption(_:)``).
    public func render(comparing timelines: [(label: String, timeline: Timeline)]) -> [String] {
        let drawn = timelines.filter { !$0.timeline.isEmpty }
        guard !drawn.isEmpty else { return [] }
        let layout = Layout(timelines: drawn.map(\.timeline), width: width)
        var lines: [String] = []
        for (label, timeline) in drawn {
            let count = timeline.rows.count
            lines.append(paint(label, "1") + paint(" (\(count) process\(count == 1 ? "" : "es"), \(format(timeline.duration)))", "2"))
            lines += body(timeline, layout: layout)
        }
        lines.append(axis(layout))
        lines += legend(drawn.map(\.timeline), layout: layout)
        lines.append(Timeline.caption(drawn))
        return lines
    }

    /// The timeline as one string ending in a newline, or `""` when there is nothing to draw.
    public func renderText(_ timeline: Timeline) -> String {
        let lines = render(timeline)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// Column widths shared by every timeline drawn together, and the time span of the bar.
    struct Layout {
        var nameWidth: Int
        var idWidth: Int
        var statusWidth: Int
        var barWidth: Int
        var span: UInt64

        var labelWidth: Int { nameWidth + 1 + idWidth + 1 }

        init(timelines: [Timeline], width: Int) {
            let lanes = timelines.flatMap(\.lanes)
            nameWidth = min(18, lanes.map { TextWidth.width(of: $0.name) + 2 * $0.depth }.max() ?? 4)
            idWidth = lanes.map { String($0.id).count }.max() ?? 1
            statusWidth = lanes.map(\.status.count).max() ?? 0
            var fixed = nameWidth + 1 + idWidth + 1 + 2 + (statusWidth > 0 ? statusWidth + 1 : 0)
            // A narrow terminal: names give way first (to 6 columns), then the bar (to 4).
            let shortage = fixed + 10 - width
            if shortage > 0 {
                let given = min(shortage, max(0, nameWidth - 6))
                nameWidth -= given
                fixed -= given
            }
            barWidth = max(4, min(width - fixed, max(10, width - fixed)))
            span = max(timelines.map(\.duration).max() ?? 1, 1)
        }

        /// The column of time `t`: the same in every timeline drawn with this layout.
        func column(_ t: UInt64) -> Int { min(barWidth - 1, Int(Double(t) / Double(span) * Double(barWidth))) }
    }

    /// One line per lane.
    private func body(_ timeline: Timeline, layout: Layout) -> [String] {
        timeline.lanes.map { lane in
            let indent = String(repeating: " ", count: min(2 * lane.depth, max(0, layout.nameWidth - 4)))
            let name = fit(indent + lane.name, layout.nameWidth)
            let id = String(lane.id)
            let padded = String(repeating: " ", count: layout.idWidth - id.count) + id
            var line = paint(name, lane.isMain ? "1" : lane.isThread ? "2" : "") + " " + paint(padded, "2") + " " + String(edge)
            line += bar(lane, layout: layout)
            line += String(edge)
            if !lane.status.isEmpty {
                line += " " + paint(lane.status, lane.endedBadly ? "31" : "2")
            }
            return line
        }
    }

    /// The axis: start, middle and end times under the bar.
    private func axis(_ layout: Layout) -> String {
        let start = format(0), middle = format(layout.span / 2), end = format(layout.span)
        var axis = Array(repeating: Character(" "), count: layout.barWidth + 2)
        place(start, at: 1, in: &axis)
        if layout.barWidth >= start.count + middle.count + end.count + 6 {
            place(middle, at: 1 + layout.barWidth / 2 - middle.count / 2, in: &axis)
        }
        place(end, at: layout.barWidth + 1 - end.count, in: &axis)
        return String(repeating: " ", count: layout.labelWidth) + paint(String(axis).trailingTrimmed, "2")
    }

    /// What the glyphs mean, for those that appear; and the helper threads not drawn.
    private func legend(_ timelines: [Timeline], layout: Layout) -> [String] {
        var parts: [String] = []
        if timelines.contains(where: \.hasTasks) {
            parts.append("\(idle) alive  \(taskGlyphs[0])\(taskGlyphs[1]) tasks  \(failedGlyph) failed task")
        }
        if timelines.contains(where: { $0.lanes.contains(where: \.isThread) }) { parts.append("\(threadIdle) thread") }
        if timelines.contains(where: \.hasHolds) { parts.append("\(holdGlyph) lock held") }
        if timelines.contains(where: \.hasQueueOperations) { parts.append("\(putGlyph) put \(getGlyph) get") }
        let helpers = timelines.map(\.helperThreadCount).reduce(0, +)
        if helpers > 0 { parts.append("\(helpers) runtime helper thread\(helpers == 1 ? "" : "s") not drawn") }
        guard !parts.isEmpty else { return [] }
        let legend = parts.joined(separator: "  ")
        let indent = layout.labelWidth + 1 + legend.count <= width ? layout.labelWidth + 1 : 0
        return [String(repeating: " ", count: indent) + paint(legend, "2")]
    }

    /// One lane's bar: blank outside its life, the idle glyph while alive, a hold glyph while
    /// a lock is held, a task glyph where a task covers most of the column, queue marks on top.
    private func bar(_ lane: Timeline.Lane, layout: Layout) -> String {
        let width = layout.barWidth
        let column = layout.column
        var cells = Array(repeating: Character(" "), count: width)
        var kinds = Array(repeating: 0, count: width)  // 0 blank, 1 alive, 2 task, 3 failed, 4 hold, 5 queue
        let first = column(lane.start), last = max(first, column(lane.end))
        for c in first...last { cells[c] = lane.isThread ? threadIdle : idle; kinds[c] = 1 }

        for hold in lane.holds {
            let a = column(hold.start), b = max(a, column(hold.end ?? lane.end))
            for c in a...b { cells[c] = holdGlyph; kinds[c] = 4 }
        }

        // For each column, the task covering most of it.
        var best = Array(repeating: (overlap: UInt64(0), task: -1), count: width)
        let columnSpan = Double(layout.span) / Double(width)
        for (i, task) in lane.tasks.enumerated() {
            let end = task.end ?? lane.end
            let a = column(task.start), b = max(a, column(end))
            for c in a...b {
                let lo = max(Double(task.start), Double(c) * columnSpan)
                let hi = min(Double(end), Double(c + 1) * columnSpan)
                let overlap = UInt64(max(1, hi - lo))
                if overlap > best[c].overlap { best[c] = (overlap, i) }
            }
        }
        for c in 0..<width where best[c].task >= 0 {
            let task = lane.tasks[best[c].task]
            if task.failed || task.end == nil {
                cells[c] = failedGlyph; kinds[c] = 3
            } else {
                cells[c] = taskGlyphs[best[c].task % 2]; kinds[c] = 2
            }
        }
        for operation in lane.queueOperations {
            let c = column(operation.time)
            cells[c] = operation.isPut ? putGlyph : getGlyph
            kinds[c] = 5
        }

        guard color else { return String(cells) }
        let palette = ["36", "32", "33", "35", "34", "96"]
        let taskColor = lane.isMain ? "37" : palette[(lane.colour - 1 + palette.count) % palette.count]
        var out = ""
        var current = -1
        for c in 0..<width {
            if kinds[c] != current {
                if current > 0 { out += "\u{1B}[0m" }
                current = kinds[c]
                switch current {
                case 1: out += lane.isMain ? "\u{1B}[2m" : "\u{1B}[\(taskColor)m"
                case 2: out += "\u{1B}[1;\(taskColor)m"
                case 3: out += "\u{1B}[31m"
                case 4: out += "\u{1B}[1;93m"
                case 5: out += "\u{1B}[1;97m"
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
