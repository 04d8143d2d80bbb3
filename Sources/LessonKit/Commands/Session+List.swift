extension Session {
    // MARK: - list

    /// `learn-mp list`: lessons, their demos and the last result of each.
    public func list() throws -> Int32 {
        let library = try library()
        let store = ResultStore(path: workspace.resultsFile)
        var out = ""
        for lesson in library.lessons {
            let problems = library.problems(of: lesson)
            out += style.bold(TextWidth.pad(lesson.name, to: 22)) + " " + lesson.title
            out += problems.isEmpty ? "\n" : style.red("  (\(problems.count) problem\(problems.count == 1 ? "" : "s"): learn-mp verify \(lesson.slug))") + "\n"
            for sample in lesson.demos {
                let demo = sample.demo!
                var line = "    " + TextWidth.pad("demo-" + demo, to: 30)
                if let entry = store.entries[demo] {
                    line += TextWidth.pad(mark(entry.passed) + " " + (entry.passed ? "passed" : "failed") + " in " + formatDuration(entry.seconds), to: 20)
                } else {
                    line += style.dim("not run yet")
                }
                // The originals, when they were checked too (`--python`, `--node`, `--compare`).
                for runtime in [Runtime.python, .node] {
                    if let entry = store.entries["\(demo) (\(runtime.label))"] {
                        line += "  " + runtime.label + " " + mark(entry.passed)
                    }
                }
                out += line + "\n"
            }
        }
        if !library.unusedDemos.isEmpty {
            out += style.yellow("demos no lesson uses: \(library.unusedDemos.joined(separator: ", "))") + "\n"
        }
        paged(lines: lineCount(out)) { writeOut(out) }
        return 0
    }
}
