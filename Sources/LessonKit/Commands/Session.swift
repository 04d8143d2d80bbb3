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
                interactive: Bool = isTerminal(1), scheduler: any JobScheduler = ThreadScheduler()) {
        self.workspace = workspace
        self.style = style
        self.width = width
        self.interactive = interactive
        self.scheduler = scheduler
    }

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

    /// Adds `results` to the results file (one read and one write; none when nothing ran).
    func record(_ results: [RunResult]) {
        guard !results.isEmpty else { return }
        var store = ResultStore(path: workspace.resultsFile)
        store.record(results)
        store.save()
    }
}
