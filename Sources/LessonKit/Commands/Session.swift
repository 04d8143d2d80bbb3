/// What the `learn-mp` commands do; the command layer only parses flags and calls these.
///
/// Each method writes its report to standard output (problems to standard error) and returns
/// the process exit code.
public struct Session {
    /// The workspace.
    public var workspace: Workspace
    /// Colours, or none.
    public var style: Style
    /// The terminal width.
    public var width: Int
    /// Whether standard output is a terminal (for progress lines).
    public var interactive: Bool
    /// Runs jobs in parallel for `verify`.
    public var scheduler: any JobScheduler

    /// Creates a session.
    public init(workspace: Workspace, style: Style = .automatic(), width: Int = terminalColumns(),
                interactive: Bool = isTerminal(1), scheduler: any JobScheduler = ProcessFanOut()) {
        self.workspace = workspace
        self.style = style
        self.width = width
        self.interactive = interactive
        self.scheduler = scheduler
    }

    func mark(_ passed: Bool) -> String { passed ? style.green("✓") : style.red("✗") }

    func library() throws -> LessonLibrary { try LessonLibrary(workspace: workspace) }

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
                    line += mark(entry.passed) + " " + (entry.passed ? "passed" : "failed") + " in " + formatDuration(entry.seconds)
                } else {
                    line += style.dim("not run yet")
                }
                out += line + "\n"
            }
        }
        if !library.unusedDemos.isEmpty {
            out += style.yellow("demos no lesson uses: \(library.unusedDemos.joined(separator: ", "))") + "\n"
        }
        writeOut(out)
        return 0
    }

    // MARK: - Running samples

    /// Builds what `jobs` need; returns results for jobs whose build failed.
    func build(_ jobs: [RunJob]) -> [String: String] {
        let slugs = Array(Set(jobs.filter { $0.runtime == .swift }.map(\.demo))).sorted()
        return DemoBuilder(workspace: workspace).buildStale(slugs) { writeError(style.dim($0) + "\n") }
    }

    func buildFailure(_ job: RunJob, _ output: String) -> RunResult {
        var result = Runner.failed(job, "build failed: fix the compile errors in \(relativePath(workspace.demoSource(job.demo), to: workspace.root))")
        result.spawn.stderr = output
        return result
    }

    /// The report of one failed run: problems, diff, captures and standard error.
    public func failureReport(_ result: RunResult) -> String {
        var out = ""
        for problem in result.problems { out += "  " + style.red(problem) + "\n" }
        if !result.diff.isEmpty {
            for line in result.diff.trimmingTrailingNewlines.split(separator: "\n", omittingEmptySubsequences: false) {
                let text = String(line)
                let colored = text.hasPrefix("+") && !text.hasPrefix("+++") ? style.green(text)
                    : text.hasPrefix("-") && !text.hasPrefix("---") ? style.red(text)
                    : text.hasPrefix("@@") ? style.cyan(text) : text
                out += "    " + colored + "\n"
            }
        }
        if result.diff.isEmpty, !result.passed, !result.spawn.stdout.isEmpty {
            out += "  stdout (last lines):\n"
            for line in lastLines(result.spawn.stdout, 10) { out += "    " + line + "\n" }
        }
        if !result.spawn.stderr.isEmpty {
            out += "  stderr:\n"
            for line in lastLines(result.spawn.stderr, 20) { out += "    " + line + "\n" }
        }
        return out
    }

    func lastLines(_ text: String, _ count: Int) -> [String] {
        let lines = text.trimmingTrailingNewlines.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.count > count ? ["… (\(lines.count - count) lines before)"] + lines.suffix(count) : lines
    }

    func record(_ results: [RunResult]) {
        var store = ResultStore(path: workspace.resultsFile)
        store.record(results)
        store.save()
    }

    // MARK: - lesson

    /// `learn-mp lesson <name>`: renders the lesson and runs each demo in place.
    ///
    /// - Parameters:
    ///   - run: Run the demos (`--no-run` turns it off).
    ///   - compare: Also run the Python original and the Node.js twin, with times.
    public func lesson(_ name: String, run: Bool = true, compare: Bool = false) throws -> Int32 {
        let library = try library()
        let lesson = try library.lesson(named: name)
        let problems = library.problems(of: lesson)
        if !problems.isEmpty {
            writeError(problems.map { style.red("error: ") + $0.description }.joined(separator: "\n") + "\n")
            return 1
        }
        let renderer = TerminalRenderer(width: min(width, 100), style: style)
        writeOut(renderer.header(lesson))
        var results: [RunResult] = []
        for section in lesson.sections {
            writeOut(renderer.heading(section))
            for block in section.blocks {
                writeOut(renderer.render(block))
                guard run, case .sample(let sample) = block, sample.demo != nil else { continue }
                let runtimes: [Runtime] = compare ? [.python, .node, .swift] : [.swift]
                for job in library.jobs(for: sample, in: lesson, runtimes: runtimes) {
                    let result = runInPlace(job, renderer: renderer)
                    results.append(result)
                }
                writeOut("\n")
            }
        }
        record(results)
        let failed = results.filter { !$0.passed }.count
        if run {
            writeOut("\(results.count - failed) passed, \(failed) failed\n")
        }
        return failed == 0 ? 0 : 1
    }

    /// Runs one job, printing its output and the verdict.
    func runInPlace(_ job: RunJob, renderer: TerminalRenderer) -> RunResult {
        if job.runtime == .swift, let failure = build([job])[job.demo] {
            let result = buildFailure(job, failure)
            writeOut(mark(false) + " " + job.title + "\n" + failureReport(result))
            return result
        }
        writeOut(renderer.output("", label: "\(job.runtime.label) output").trimmingTrailingNewlines.split(separator: "\n").first.map { $0 + "\n" } ?? "")
        // Live output, indented like the code blocks.
        var atLineStart = true
        let result = Runner.run(job) { chunk in
            var text = ""
            for character in chunk {
                if atLineStart { text += "  " }
                text.append(character)
                atLineStart = character == "\n"
            }
            writeOut(text)
        }
        if !atLineStart { writeOut("\n") }
        let verdict = result.passed ? style.dim(" matches the expected output") : ""
        writeOut(mark(result.passed) + " " + job.title + verdict + style.dim(" (\(formatDuration(result.spawn.seconds)))") + "\n")
        if !result.passed { writeOut(failureReport(result)) }
        return result
    }

    // MARK: - run

    /// `learn-mp run <demo>`: builds, runs and checks one demo, printing its output.
    public func run(_ name: String, runtimes: [Runtime] = [.swift]) throws -> Int32 {
        let library = try library()
        let (lesson, sample) = try library.sample(demo: name)
        let problems = library.problems(of: lesson).filter { $0.line >= sample.line && $0.line <= (sample.output?.line ?? sample.line) }
        if !problems.isEmpty {
            writeError(problems.map { style.red("error: ") + $0.description }.joined(separator: "\n") + "\n")
            return 1
        }
        let renderer = TerminalRenderer(width: width, style: style)
        var results: [RunResult] = []
        for job in library.jobs(for: sample, in: lesson, runtimes: runtimes) {
            results.append(runInPlace(job, renderer: renderer))
        }
        record(results)
        return results.allSatisfy(\.passed) ? 0 : 1
    }

    // MARK: - verify

    /// `learn-mp verify all|<lesson>…`: checks lessons and runs their demos in parallel.
    ///
    /// The last line is `N passed, N failed`; the exit code is 1 when anything failed.
    public func verify(_ names: [String], runtimes: [Runtime] = [.swift]) throws -> Int32 {
        let library = try library()
        let lessons = names.isEmpty || names == ["all"] ? library.lessons : try names.map { try library.lesson(named: $0) }
        var failures: [String] = []
        var jobs: [RunJob] = []
        for lesson in lessons {
            let problems = library.problems(of: lesson)
            for problem in problems { failures.append(mark(false) + " " + problem.description + "\n") }
            for sample in lesson.demos {
                // A demo without a source cannot be built; that is already a reported problem.
                guard let demo = sample.demo, FileSystem.exists(workspace.demoSource(demo)) else { continue }
                jobs += library.jobs(for: sample, in: lesson, runtimes: runtimes)
            }
        }
        if names.isEmpty || names == ["all"], !library.unusedDemos.isEmpty {
            writeError(style.yellow("warning: ") + "demos no lesson uses: \(library.unusedDemos.joined(separator: ", ")). Add a ```swift demo=<slug> block for each, or remove the folder.\n")
        }
        let buildFailures = build(jobs)
        var results: [RunResult?] = jobs.map { job in
            job.runtime == .swift ? buildFailures[job.demo].map { buildFailure(job, $0) } : nil
        }
        let pending = jobs.indices.filter { results[$0] == nil }
        var done = jobs.count - pending.count
        let total = jobs.count
        let ran = scheduler.run(pending.map { jobs[$0] }) { _, result in
            done += 1
            if interactive {
                writeError("\r\u{1B}[K[\(done)/\(total)] " + mark(result.passed) + " " + result.job.title)
            }
        }
        if interactive { writeError("\r\u{1B}[K") }
        for (offset, index) in pending.enumerated() { results[index] = ran[offset] }
        let finished = results.map { $0! }
        record(finished)
        var out = ""
        for result in finished {
            out += mark(result.passed) + " " + TextWidth.pad(result.job.title, to: 36) + " " + style.dim(formatDuration(result.spawn.seconds)) + "\n"
        }
        for result in finished where !result.passed {
            failures.append(mark(false) + " " + result.job.title + " (" + result.job.lesson + ")\n" + failureReport(result))
        }
        if !failures.isEmpty {
            out += "\n" + style.bold("Failures:") + "\n" + failures.joined(separator: "\n")
        }
        let failed = failures.count
        let passed = finished.filter(\.passed).count
        out += "\(passed) passed, \(failed) failed\n"
        writeOut(out)
        return failed == 0 ? 0 : 1
    }

    // MARK: - sync

    /// `learn-mp sync`: rewrites each lesson's `swift demo=<slug>` blocks from the demo sources.
    public func sync(check: Bool = false) throws -> Int32 {
        var changed = 0
        for file in workspace.lessonFiles {
            let text = try FileSystem.readText(file)
            let display = relativePath(file, to: workspace.root)
            let (lesson, _) = LessonParser.parse(text, path: display)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var updated: [String] = []
            for sample in lesson.samples.reversed() {
                guard let swift = sample.swift, let demo = sample.demo,
                      var source = try? FileSystem.readText(workspace.demoSource(demo)) else { continue }
                if !source.hasSuffix("\n") { source += "\n" }
                guard source != swift.code else { continue }
                let oldCount = swift.code.split(separator: "\n", omittingEmptySubsequences: false).count - 1
                let first = swift.line  // the line after the opening fence, 0-based
                guard first + oldCount <= lines.count else { continue }
                let newLines = source.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                lines.replaceSubrange(first..<(first + oldCount), with: newLines)
                updated.append(demo)
            }
            guard !updated.isEmpty else { continue }
            changed += updated.count
            if check {
                writeOut("\(display): out of date: \(updated.reversed().joined(separator: ", "))\n")
            } else {
                try FileSystem.writeText(lines.joined(separator: "\n"), to: file)
                writeOut("\(display): updated \(updated.reversed().joined(separator: ", "))\n")
            }
        }
        writeOut(changed == 0 ? "every swift block matches its demo source\n" : "")
        return check && changed > 0 ? 1 : 0
    }
}
