import Foundation

// MARK: - SVG timeline

/// Draws a ``Timeline`` as inline SVG for the site: a labelled row per process, bars from start
/// to exit, task marks, a time axis with round ticks.
///
/// Colours come from the site's stylesheet through classes (`tl-life`, `tl-task`, `tl-c0`…),
/// so light, dark and print themes apply. The drawing has a `<title>` and a `<desc>` that
/// states every process's life in words, and each bar has its own `<title>` (a tooltip, read
/// by screen readers).
public struct TimelineSVGRenderer: Sendable {
    /// A prefix for element ids, unique within the page (for example the demo's slug).
    public var idPrefix: String
    /// The drawing's accessible title.
    public var title: String

    /// Geometry, in SVG user units (the drawing scales to its container's width).
    private let width = 720.0
    private let labelWidth = 214.0
    private let statusWidth = 70.0
    private let rowHeight = 26.0
    private let barHeight = 14.0
    private let top = 8.0
    private let axisHeight = 30.0

    /// - Parameters:
    ///   - idPrefix: makes the ids of this drawing's title and description unique on the page.
    ///   - title: the accessible title, e.g. "Process timeline of demo pool-map".
    public init(idPrefix: String, title: String) {
        self.idPrefix = idPrefix
        self.title = title
    }

    /// The `<svg>` element, or `""` when the timeline is empty.
    public func render(_ timeline: Timeline) -> String {
        guard !timeline.isEmpty else { return "" }
        let plotLeft = labelWidth
        let plotWidth = width - labelWidth - statusWidth
        let span = Double(max(timeline.duration, 1))
        func x(_ t: UInt64) -> Double { plotLeft + Double(t) / span * plotWidth }
        let height = top + Double(timeline.rows.count) * rowHeight + axisHeight
        let titleID = "\(idPrefix)-tl-title", descID = "\(idPrefix)-tl-desc"

        var svg = """
        <svg class="timeline-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(n(width)) \(n(height))" \
        width="\(n(width))" height="\(n(height))" role="img" aria-labelledby="\(HTML.attribute(titleID)) \(HTML.attribute(descID))">
        <title id="\(HTML.attribute(titleID))">\(HTML.escape(title))</title>
        <desc id="\(HTML.attribute(descID))">\(HTML.escape(timeline.summary))</desc>

        """

        // Grid lines and tick labels.
        let ticks = Self.ticks(duration: timeline.duration)
        let plotBottom = top + Double(timeline.rows.count) * rowHeight
        svg += "<g class=\"tl-axis\" aria-hidden=\"true\">\n"
        for tick in ticks {
            let tx = x(tick)
            svg += "<line class=\"tl-grid\" x1=\"\(n(tx))\" y1=\"\(n(top))\" x2=\"\(n(tx))\" y2=\"\(n(plotBottom + 4))\"/>\n"
            let anchor = tick == 0 ? "start" : (tx > plotLeft + plotWidth - 20 ? "end" : "middle")
            svg += "<text class=\"tl-tick\" x=\"\(n(tx))\" y=\"\(n(plotBottom + 18))\" text-anchor=\"\(anchor)\">\(HTML.escape(Timeline.formatDuration(tick)))</text>\n"
        }
        svg += "</g>\n"

        for (i, row) in timeline.rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let mid = y + rowHeight / 2
            let colour = row.isMain ? "tl-main" : "tl-c\((i - 1) % 6)"
            let status = Timeline.status(of: row)
            svg += "<g class=\"tl-row \(colour)\">\n"
            if i % 2 == 1 {
                svg += "<rect class=\"tl-stripe\" x=\"0\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(rowHeight))\"/>\n"
            }
            let indent = Double(min(row.depth, 4)) * 10
            svg += "<text class=\"tl-name\" x=\"\(n(6 + indent))\" y=\"\(n(mid + 4))\">\(HTML.escape(clip(row.name, 19 - min(row.depth, 4))))</text>\n"
            svg += "<text class=\"tl-pid\" x=\"\(n(labelWidth - 8))\" y=\"\(n(mid + 4))\" text-anchor=\"end\">\(row.pid)</text>\n"

            let x0 = x(row.start), x1 = max(x(row.end), x0 + 2)
            var lifeTitle = "\(row.name), pid \(row.pid): "
            lifeTitle += row.isMain ? "the main process, \(Timeline.formatDuration(timeline.duration))"
                : "\(Timeline.formatDuration(row.start)) to \(Timeline.formatDuration(row.end))"
            if !status.isEmpty { lifeTitle += ", \(status)" }
            svg += "<rect class=\"tl-life\" x=\"\(n(x0))\" y=\"\(n(mid - barHeight / 2))\" width=\"\(n(x1 - x0))\" height=\"\(n(barHeight))\" rx=\"3\"><title>\(HTML.escape(lifeTitle))</title></rect>\n"

            for (k, task) in row.tasks.enumerated() {
                let end = task.end ?? row.end
                let tx0 = x(task.start), tx1 = max(x(end), tx0 + 1.5)
                var classes = "tl-task"
                if task.failed || task.end == nil { classes += " tl-failed" } else if k % 2 == 1 { classes += " tl-alt" }
                var taskTitle = "job \(task.job), task \(task.index): \(Timeline.formatDuration(task.start)) to \(Timeline.formatDuration(end))"
                if task.failed { taskTitle += ", failed" } else if task.end == nil { taskTitle += ", never finished" }
                svg += "<rect class=\"\(classes)\" x=\"\(n(tx0))\" y=\"\(n(mid - barHeight / 2 + 2))\" width=\"\(n(tx1 - tx0))\" height=\"\(n(barHeight - 4))\" rx=\"1.5\"><title>\(HTML.escape(taskTitle))</title></rect>\n"
            }
            if !status.isEmpty {
                let bad = Timeline.endedBadly(row)
                svg += "<text class=\"tl-status\(bad ? " tl-bad" : "")\" x=\"\(n(width - statusWidth + 8))\" y=\"\(n(mid + 4))\">\(HTML.escape(status))</text>\n"
            }
            svg += "</g>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// Round tick positions (1, 2 or 5 × 10ⁿ ns apart), four to eight of them, from 0.
    static func ticks(duration: UInt64) -> [UInt64] {
        guard duration > 0 else { return [0] }
        let raw = Double(duration) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [UInt64] = []
        var t = 0.0
        while t <= Double(duration) * 1.0001 {
            ticks.append(UInt64(t))
            t += step
        }
        return ticks
    }

    private func n(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private func clip(_ text: String, _ count: Int) -> String {
        text.count <= count ? text : String(text.prefix(max(1, count - 1))) + "…"
    }
}
