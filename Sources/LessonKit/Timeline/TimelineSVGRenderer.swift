import Foundation

// MARK: - SVG timeline

/// Draws a ``Timeline`` as inline SVG for the site: a labelled row per process (and per thread
/// its program reported, thinner, under it), bars from start to exit, task marks, lock holds
/// (a strip along the bottom of the bar), queue puts (▲ above) and gets (▼ below), a time axis
/// with round ticks. ``render(comparing:)`` draws several runs on one scale.
///
/// Colours come from the site's stylesheet through classes (`tl-life`, `tl-task`, `tl-hold`,
/// `tl-put`, `tl-get`, `tl-thread`, `tl-run-label`, `tl-c0`…),
/// so light, dark and print themes apply. The drawing has a `<title>` and a `<desc>` that
/// states every process's life in words, and each bar has its own `<title>` (a tooltip, read
/// by screen readers).
public struct TimelineSVGRenderer: Sendable {
    /// A prefix for element ids, unique within the page (for example the demo's slug).
    public var idPrefix: String
    /// The drawing's accessible title.
    public var title: String

    /// Geometry, in SVG user units (the drawing scales to its container's width).
    let width = 720.0
    let labelWidth = 214.0
    let statusWidth = 70.0
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
        draw([(label: nil, timeline: timeline)], description: timeline.summary)
    }

    /// Several runs of one sample in one `<svg>` on one time scale: the same time is the same
    /// x in each. Each run gets a heading row (its label); one axis runs under them all.
    /// `""` when every timeline is empty.
    public func render(comparing timelines: [(label: String, timeline: Timeline)]) -> String {
        let drawn = timelines.filter { !$0.timeline.isEmpty }
        let description = drawn.map { "\($0.label): \($0.timeline.summary)" }.joined(separator: " ")
        return draw(drawn.map { (label: Optional($0.label), timeline: $0.timeline) }, description: description)
    }

    /// The x of time `t` in a drawing whose longest run lasts `span`: the same for every run.
    func x(_ t: UInt64, span: UInt64) -> Double {
        labelWidth + Double(t) / Double(max(span, 1)) * (width - labelWidth - statusWidth)
    }

    private func draw(_ timelines: [(label: String?, timeline: Timeline)], description: String) -> String {
        guard !timelines.isEmpty, timelines.allSatisfy({ !$0.timeline.isEmpty }) else { return "" }
        let plotLeft = labelWidth
        let plotWidth = width - labelWidth - statusWidth
        let span = max(timelines.map(\.timeline.duration).max() ?? 1, 1)
        func x(_ t: UInt64) -> Double { self.x(t, span: span) }
        let headings = timelines.filter { $0.label != nil }.count
        let laneCount = timelines.reduce(0) { $0 + $1.timeline.lanes.count }
        let plotBottom = top + Double(laneCount + headings) * rowHeight
        let height = plotBottom + axisHeight
        let titleID = "\(idPrefix)-tl-title", descID = "\(idPrefix)-tl-desc"

        var svg = """
        <svg class="timeline-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(n(width)) \(n(height))" \
        width="\(n(width))" height="\(n(height))" role="img" aria-labelledby="\(HTML.attribute(titleID)) \(HTML.attribute(descID))">
        <title id="\(HTML.attribute(titleID))">\(HTML.escape(title))</title>
        <desc id="\(HTML.attribute(descID))">\(HTML.escape(description))</desc>

        """

        // Grid lines and tick labels.
        svg += "<g class=\"tl-axis\" aria-hidden=\"true\">\n"
        for tick in Self.ticks(duration: span) {
            let tx = x(tick)
            svg += "<line class=\"tl-grid\" x1=\"\(n(tx))\" y1=\"\(n(top))\" x2=\"\(n(tx))\" y2=\"\(n(plotBottom + 4))\"/>\n"
            let anchor = tick == 0 ? "start" : (tx > plotLeft + plotWidth - 20 ? "end" : "middle")
            svg += "<text class=\"tl-tick\" x=\"\(n(tx))\" y=\"\(n(plotBottom + 18))\" text-anchor=\"\(anchor)\">\(HTML.escape(Timeline.formatDuration(tick)))</text>\n"
        }
        svg += "</g>\n"

        var line = 0
        for (label, timeline) in timelines {
            if let label {
                let y = top + Double(line) * rowHeight
                let count = timeline.rows.count
                let facts = "\(count) process\(count == 1 ? "" : "es"), \(Timeline.formatDuration(timeline.duration)): \(timeline.modelDescription)"
                svg += "<g class=\"tl-run\">\n<text class=\"tl-run-label\" x=\"6\" y=\"\(n(y + rowHeight / 2 + 5))\">\(HTML.escape(label))</text>\n"
                svg += "<text class=\"tl-run-facts\" x=\"\(n(plotLeft))\" y=\"\(n(y + rowHeight / 2 + 5))\">\(HTML.escape(facts))</text>\n</g>\n"
                line += 1
            }
            for lane in timeline.lanes {
                svg += drawLane(lane, y: top + Double(line) * rowHeight, stripe: line % 2 == 1, x: x, timeline: timeline)
                line += 1
            }
        }
        svg += "</svg>"
        return svg
    }

    /// One lane: its label, its life, its holds, tasks and queue marks, its status.
    private func drawLane(_ lane: Timeline.Lane, y: Double, stripe: Bool, x: (UInt64) -> Double, timeline: Timeline) -> String {
        let mid = y + rowHeight / 2
        let colour = lane.isMain ? "tl-main" : "tl-c\((lane.colour - 1) % 6)"
        var svg = "<g class=\"tl-row \(colour)\(lane.isThread ? " tl-thread" : "")\">\n"
        if stripe {
            svg += "<rect class=\"tl-stripe\" x=\"0\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(rowHeight))\"/>\n"
        }
        let indent = Double(min(lane.depth, 4)) * 10
        svg += "<text class=\"tl-name\" x=\"\(n(6 + indent))\" y=\"\(n(mid + 4))\">\(HTML.escape(clip(lane.name, 19 - min(lane.depth, 4))))</text>\n"
        svg += "<text class=\"tl-pid\" x=\"\(n(labelWidth - 8))\" y=\"\(n(mid + 4))\" text-anchor=\"end\">\(lane.id)</text>\n"

        let thickness = lane.isThread ? barHeight - 6 : barHeight
        let x0 = x(lane.start), x1 = max(x(lane.end), x0 + 2)
        var lifeTitle = "\(lane.name), \(lane.isThread ? "thread" : "pid") \(lane.id): "
        lifeTitle += lane.isMain ? "the main process, \(Timeline.formatDuration(timeline.duration))"
            : "\(Timeline.formatDuration(lane.start)) to \(Timeline.formatDuration(lane.end))"
        if !lane.status.isEmpty { lifeTitle += ", \(lane.status)" }
        svg += "<rect class=\"tl-life\" x=\"\(n(x0))\" y=\"\(n(mid - thickness / 2))\" width=\"\(n(x1 - x0))\" height=\"\(n(thickness))\" rx=\"3\"><title>\(HTML.escape(lifeTitle))</title></rect>\n"

        for hold in lane.holds {
            let end = hold.end ?? lane.end
            let hx0 = x(hold.start), hx1 = max(x(end), hx0 + 1.5)
            let holdTitle = "\(hold.kind) \(hold.object) held \(Timeline.formatDuration(hold.start)) to \(Timeline.formatDuration(end))"
            svg += "<rect class=\"tl-hold\" x=\"\(n(hx0))\" y=\"\(n(mid + thickness / 2 - 4))\" width=\"\(n(hx1 - hx0))\" height=\"4\"><title>\(HTML.escape(holdTitle))</title></rect>\n"
        }
        for (k, task) in lane.tasks.enumerated() {
            let end = task.end ?? lane.end
            let tx0 = x(task.start), tx1 = max(x(end), tx0 + 1.5)
            var classes = "tl-task"
            if task.failed || task.end == nil { classes += " tl-failed" } else if k % 2 == 1 { classes += " tl-alt" }
            var taskTitle = "job \(task.job), task \(task.index): \(Timeline.formatDuration(task.start)) to \(Timeline.formatDuration(end))"
            if task.failed { taskTitle += ", failed" } else if task.end == nil { taskTitle += ", never finished" }
            svg += "<rect class=\"\(classes)\" x=\"\(n(tx0))\" y=\"\(n(mid - thickness / 2 + 2))\" width=\"\(n(tx1 - tx0))\" height=\"\(n(max(2, thickness - 4)))\" rx=\"1.5\"><title>\(HTML.escape(taskTitle))</title></rect>\n"
        }
        for operation in lane.queueOperations {
            let qx = x(operation.time)
            let top = mid - thickness / 2 - 3, bottom = mid + thickness / 2 + 3
            let points = operation.isPut ? "\(n(qx - 3)),\(n(top + 4)) \(n(qx + 3)),\(n(top + 4)) \(n(qx)),\(n(top - 1))"
                : "\(n(qx - 3)),\(n(bottom - 4)) \(n(qx + 3)),\(n(bottom - 4)) \(n(qx)),\(n(bottom + 1))"
            let title = "\(operation.isPut ? "put into" : "got from") queue \(operation.queue) at \(Timeline.formatDuration(operation.time))"
            svg += "<polygon class=\"\(operation.isPut ? "tl-put" : "tl-get")\" points=\"\(points)\"><title>\(HTML.escape(title))</title></polygon>\n"
        }
        if !lane.status.isEmpty {
            svg += "<text class=\"tl-status\(lane.endedBadly ? " tl-bad" : "")\" x=\"\(n(width - statusWidth + 8))\" y=\"\(n(mid + 4))\">\(HTML.escape(lane.status))</text>\n"
        }
        svg += "</g>\n"
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
