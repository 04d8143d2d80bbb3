// MARK: - Timelines and the site

extension Session {
    /// The process timeline of a run, drawn for this terminal (indented like the output), or
    /// `""` when the run wrote no trace.
    func timeline(of result: RunResult) -> String {
        let timeline = Timeline(result: result)
        guard !timeline.isEmpty else { return "" }
        return fitted(timelineRenderer.render(timeline).map { "  " + $0 + "\n" }.joined(), to: width)
    }

    /// The timelines of several runs of one sample on one time scale (Python, Node.js, Swift),
    /// with a caption naming each run's model; `""` when none wrote a trace.
    func timelines(comparing results: [RunResult]) -> String {
        let order: [Runtime] = [.python, .node, .swift]
        let timelines = results.sorted { order.firstIndex(of: $0.job.runtime)! < order.firstIndex(of: $1.job.runtime)! }
            .map { (label: $0.job.runtime.label, timeline: Timeline(result: $0)) }
        return fitted(timelineRenderer.render(comparing: timelines).map { "  " + $0 + "\n" }.joined(), to: width)
    }

    private var timelineRenderer: TimelineTerminalRenderer {
        TimelineTerminalRenderer(width: min(width, 100) - 2, color: style.enabled, unicode: interactive)
    }

    /// `learn-mp export [--out dir] [--force]`: writes the static site (index and one page per
    /// lesson) with the last recorded runs and their timelines.
    ///
    /// - Parameters:
    ///   - out: the site directory; nil is `<root>/site`, where the assets live.
    ///   - force: replace files in `out` that export did not write (see `SiteWriter`).
    public func export(to out: String? = nil, force: Bool = false) throws -> Int32 {
        let library = try library()
        for (path, problems) in library.problems.sorted(by: { $0.key < $1.key }) where !problems.isEmpty {
            writeError(style.yellow("warning: ") + "\(path): \(problems.count) problem\(problems.count == 1 ? "" : "s") (see learn-mp verify)\n")
        }
        let directory = out.map(FileSystem.absolute) ?? workspace.root + "/site"
        let exporter = SiteExporter(lessons: library.lessons, results: loadResults())
        let written = try exporter.export(to: directory, assets: workspace.root + "/site", force: force)
        let pages = library.lessons.count + 1
        let ran = library.lessons.flatMap(\.demos).compactMap(\.demo).filter { exporter.results?.record(demo: $0) != nil }.count
        let demos = library.lessons.flatMap(\.demos).count
        writeOut("exported \(pages) pages to \(directory): \(written.count) file\(written.count == 1 ? "" : "s") written, the rest unchanged (\(ran) of \(demos) demos with a recorded run)\n")
        if ran < demos {
            writeOut(style.dim("run `learn-mp verify all` first to show every demo's output and timeline\n"))
        }
        writeOut("open \(directory)/index.html\n")
        return 0
    }
}
