// MARK: - The timeline figure of a run

extension DemoRunRecord {
    /// The `<figure>` of this run's timeline for a lesson page: the Swift run alone, or, when
    /// the Python and Node.js runs of the sample left traces, the three on one time scale with
    /// a caption naming each one's model. `""` when there is nothing to draw.
    func timelineFigure(idPrefix: String, text: SiteText) -> String {
        var runs: [(label: String, timeline: Timeline)] = []
        for runtime in [Runtime.python, .node] {
            if let trace = twinTraces[runtime] {
                runs.append((runtime.label, Timeline(trace: trace, mainName: runtime.mainProcessName)))
            }
        }
        runs.append((Runtime.swift.label, timeline))
        runs = runs.filter { !$0.timeline.isEmpty }
        guard !runs.isEmpty else { return "" }
        let compared = runs.count > 1
        let renderer = TimelineSVGRenderer(idPrefix: idPrefix, title: compared
            ? text.timelinesTitle(demo, runs.map(\.label)) : text.timelineTitle(demo))
        let svg = compared ? renderer.render(comparing: runs) : renderer.render(runs[0].timeline)
        var out = "<figure class=\"timeline result\(compared ? " timeline-compare" : "")\">\n"
        out += "<h4>\(compared ? text.processTimelines : text.processTimeline)</h4>\n"
        out += "<p class=\"scroll-hint\" aria-hidden=\"true\">\(text.timelineScrollHint)</p>\n"
        out += "<div class=\"timeline-scroll\">\n\(svg)\n</div>\n"
        var parts = [compared ? HTML.escape(Timeline.caption(runs)) + (text.isEnglish ? ". " : "。") + text.timelinesCaption
                     : text.timelineCaption]
        if runs.contains(where: { $0.timeline.hasTasks }) { parts.append(text.timelineTasks) }
        if runs.contains(where: { $0.timeline.hasHolds }) { parts.append(text.timelineHolds) }
        if runs.contains(where: { $0.timeline.hasQueueOperations }) { parts.append(text.timelineQueue) }
        parts.append(text.timelineTooltips)
        out += "<figcaption>\(parts.joined(separator: text.isEnglish ? " " : ""))</figcaption>\n</figure>\n"
        return out
    }
}
