// MARK: - The timeline figure of a run

extension DemoRunRecord {
    /// The `<figure>` of this run's timeline for a lesson page: the Swift run alone, or, when
    /// the Python and Node.js runs of the sample left traces, the three on one time scale with
    /// a caption naming each one's model. `""` when there is nothing to draw.
    public func timelineFigure(idPrefix: String) -> String {
        var runs: [(label: String, timeline: Timeline)] = []
        for runtime in [Runtime.python, .node] {
            if let trace = twinTraces[runtime] {
                runs.append((runtime.label, Timeline(trace: trace, mainName: runtime.mainProcessName)))
            }
        }
        let swift = timeline
        runs.append((Runtime.swift.label, swift))
        runs = runs.filter { !$0.timeline.isEmpty }
        guard !runs.isEmpty else { return "" }
        let compared = runs.count > 1
        let renderer = TimelineSVGRenderer(idPrefix: idPrefix, title: compared
            ? "Process timelines of demo \(demo) in \(runs.map(\.label).joined(separator: ", ")), on one time scale"
            : "Process timeline of demo \(demo)")
        let svg = compared ? renderer.render(comparing: runs) : renderer.render(runs[0].timeline)
        var out = "<figure class=\"timeline result\(compared ? " timeline-compare" : "")\">\n"
        out += "<h4>\(compared ? "Process timelines" : "Process timeline")</h4>\n<div class=\"timeline-scroll\">\n\(svg)\n</div>\n"
        var caption = compared ? HTML.escape(Timeline.caption(runs)) + ". One time scale for all; threads are drawn inside their process."
            : "One row per process, from its start to its exit; the main process spans the run."
        if runs.contains(where: { $0.timeline.hasTasks }) { caption += " Solid marks are pool tasks, red ones failed." }
        if runs.contains(where: { $0.timeline.hasHolds }) { caption += " A strip under a bar is a lock held." }
        if runs.contains(where: { $0.timeline.hasQueueOperations }) { caption += " ▲ is a queue put, ▼ a get." }
        caption += " Each bar's tooltip gives its times."
        out += "<figcaption>\(caption)</figcaption>\n</figure>\n"
        return out
    }
}
