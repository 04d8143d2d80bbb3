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
    /// The pager for text taller than the terminal, or nil (`--no-pager`).
    public var pager: Pager?
    /// Where the learner's copies and progress are kept.
    public var home: LearnerHome

    /// Creates a session.
    public init(workspace: Workspace, style: Style = .automatic(), width: Int = terminalColumns(),
                interactive: Bool = isTerminal(1), scheduler: any JobScheduler = ThreadScheduler(), pager: Pager? = nil,
                home: LearnerHome = LearnerHome()) {
        self.workspace = workspace
        self.style = style
        self.width = width
        self.interactive = interactive
        self.scheduler = scheduler
        self.pager = pager
        self.home = home
    }

    /// Runs `body` with its output going through the pager when there is one, standard output
    /// is a terminal and `lines` lines do not fit on it.
    func paged<T>(lines: Int, _ body: () throws -> T) rethrows -> T {
        guard let pager, interactive, lines > terminalRows() else { return try body() }
        return try pager.show(body)
    }

    /// `text` with each line wider than `columns` continued on the next, indented like it.
    func fitted(_ text: String, to columns: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let indent = String(line.prefix { $0 == " " })
            let pieces = TextWidth.hardWrap(String(line), columns: columns)
            guard pieces.count > 1 else { return String(line) }
            let rest = TextWidth.hardWrap(pieces.dropFirst().joined(), columns: max(2, columns - indent.count))
            return ([pieces[0]] + rest.map { indent + $0 }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The lines `text` takes.
    func lineCount(_ text: String) -> Int { text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) } }

    func mark(_ passed: Bool) -> String { passed ? style.green("✓") : style.red("✗") }

    func library() throws -> LessonLibrary { try LessonLibrary(workspace: workspace) }

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
        for problem in result.problems { out += "  " + style.red(visibleControls(problem)) + "\n" }
        if !result.diff.isEmpty {
            for line in result.diff.trimmingTrailingNewlines.split(separator: "\n", omittingEmptySubsequences: false) {
                let text = visibleControls(String(line))
                let colored = text.hasPrefix("+") && !text.hasPrefix("+++") ? style.green(text)
                    : text.hasPrefix("-") && !text.hasPrefix("---") ? style.red(text)
                    : text.hasPrefix("@@") ? style.cyan(text) : text
                out += "    " + colored + "\n"
            }
        }
        if result.diff.isEmpty, !result.passed, !result.spawn.stdout.isEmpty {
            out += "  stdout (last lines):\n"
            for line in lastLines(result.spawn.stdout, 10) { out += "    " + visibleControls(line) + "\n" }
        }
        if !result.spawn.stderr.isEmpty {
            out += "  stderr:\n"
            for line in lastLines(result.spawn.stderr, 20) { out += "    " + visibleControls(line) + "\n" }
        }
        return out
    }

    func lastLines(_ text: String, _ count: Int) -> [String] {
        let lines = text.trimmingTrailingNewlines.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.count > count ? ["… (\(lines.count - count) lines before)"] + lines.suffix(count) : lines
    }

    /// Adds `results` to the results file (one read and one write; none when nothing ran).
    func record(_ results: [RunResult]) {
        guard !results.isEmpty else { return }
        var store = loadResults()
        store.record(results)
        do {
            try store.save()
        } catch {
            writeError(style.yellow("warning: ") + "the results were not saved: \(error)\n")
        }
        recordProgress(results, played: false)
    }

    /// The results file, with a warning when it had to be set aside.
    func loadResults() -> ResultStore {
        let store = ResultStore(path: workspace.resultsFile)
        if let notice = store.notice { writeError(style.yellow("warning: ") + notice + "\n") }
        return store
    }
}
