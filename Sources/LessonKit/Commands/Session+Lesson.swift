extension Session {
    // MARK: - lesson

    /// `learn-mp lesson <name>`: renders the lesson and runs each demo in place.
    ///
    /// - Parameters:
    ///   - name: The lesson's slug, file name or number.
    ///   - run: Run the demos (`--no-run` turns it off).
    ///   - compare: Also run the Python original and the Node.js twin, with times and their
    ///     three timelines on one scale.
    public func lesson(_ name: String, run: Bool = true, compare: Bool = false) throws -> Int32 {
        let library = try library()
        let lesson = try library.lesson(named: name)
        let problems = library.problems(of: lesson)
        if !problems.isEmpty {
            writeError(problems.map { style.red("error: ") + $0.description }.joined(separator: "\n") + "\n")
            return 1
        }
        let renderer = TerminalRenderer(width: min(width, 100), style: style)
        let height = lineCount(renderer.header(lesson) + lesson.sections.map { section in
            renderer.heading(section) + section.blocks.map { renderer.render($0) }.joined()
        }.joined())
        return paged(lines: height) { show(lesson, in: library, renderer: renderer, run: run, compare: compare) }
    }

    /// Writes the lesson and runs its demos (with `run`); returns the exit code.
    func show(_ lesson: Lesson, in library: LessonLibrary, renderer: TerminalRenderer, run: Bool, compare: Bool) -> Int32 {
        writeOut(renderer.header(lesson))
        var results: [RunResult] = []
        for section in lesson.sections {
            writeOut(renderer.heading(section))
            for block in section.blocks {
                writeOut(renderer.render(block))
                guard run, case .sample(let sample) = block, sample.demo != nil else { continue }
                let runtimes: [Runtime] = compare ? [.python, .node, .swift] : [.swift]
                var sampleResults: [RunResult] = []
                for job in library.jobs(for: sample, in: lesson, runtimes: runtimes) {
                    sampleResults.append(runInPlace(job, renderer: renderer, drawTimeline: !compare))
                }
                if compare, sampleResults.count > 1 {
                    let times = sampleResults.map { "\($0.job.runtime.label) \(formatDuration($0.spawn.seconds))" + ($0.passed ? "" : " ✗") }
                    writeOut(style.bold("times: ") + times.joined(separator: " · ") + "\n")
                    writeOut(timelines(comparing: sampleResults))
                }
                results += sampleResults
                writeOut("\n")
            }
        }
        record(results)
        let failed = results.filter { !$0.passed }.count
        if run {
            writeOut("\(results.count - failed) passed, \(failed) failed\n")
        }
        writeOut("\n" + markRead(lesson, in: library))
        return failed == 0 ? 0 : 1
    }

    /// Runs one job, printing its output, the verdict and (unless `drawTimeline` is false,
    /// when the caller draws several runs together) its timeline.
    ///
    /// - Parameter build: Build a Swift demo first when it is stale.
    func runInPlace(_ job: RunJob, renderer: TerminalRenderer, build: Bool = true, drawTimeline: Bool = true) -> RunResult {
        if build, job.runtime == .swift, let failure = self.build([job])[job.demo] {
            let result = buildFailure(job, failure)
            writeOut(mark(false) + " " + job.title + "\n" + failureReport(result))
            return result
        }
        writeOut(renderer.output("", label: "\(job.runtime.label) output").trimmingTrailingNewlines.split(separator: "\n").first.map { $0 + "\n" } ?? "")
        // Live output, indented like the code blocks; a line wider than the view continues on
        // the next (demos print plain text: they run with NO_COLOR=1).
        var atLineStart = true
        var column = 0
        let columns = max(8, renderer.width - 2)
        let result = Runner.run(job) { chunk in
            var text = ""
            for character in visibleControls(chunk) {
                if atLineStart { text += "  "; column = 0 }
                if character != "\n" {
                    let characterWidth = TextWidth.width(of: String(character))
                    if column + characterWidth > columns { text += "\n  "; column = 0 }
                    column += characterWidth
                }
                text.append(character)
                atLineStart = character == "\n"
            }
            writeOut(text)
        }
        if !atLineStart { writeOut("\n") }
        let facts = job.facts.filter { $0.applies(to: job.runtime) }.count - result.unchecked.count
        let verdict = result.passed ? style.dim(" matches the expected output" + (facts > 0 ? " and \(facts) fact\(facts == 1 ? "" : "s")" : "")) : ""
        let line = mark(result.passed) + " " + job.title + verdict + style.dim(" (\(formatDuration(result.spawn.seconds)))")
        writeOut(TextWidth.wrap(line, columns: renderer.width).joined(separator: "\n") + "\n")
        if !result.passed { writeOut(fitted(failureReport(result), to: renderer.width)) }
        for note in result.unchecked { writeOut(TextWidth.wrap("  " + style.dim(note), columns: renderer.width).joined(separator: "\n") + "\n") }
        if drawTimeline { writeOut(timeline(of: result)) }
        return result
    }
}
