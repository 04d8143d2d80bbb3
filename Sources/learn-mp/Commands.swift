import ArgumentParser
import LessonKit

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the lessons with your progress: read, each demo's last check (stale when the sample changed since), what comes next.",
        discussion: """
        Progress is kept in $LEARN_MP_HOME/progress.json (default: $XDG_DATA_HOME/learn-mp, else \
        ~/.local/share/learn-mp), written by lesson, next, run, play and verify.

        Example:
          learn-mp list
        """
    )

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().list() } }
}

struct ShowLesson: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "Show a lesson in the terminal and run its demos in place.",
        discussion: """
        The lesson is found by slug, file name or number. Each demo is built when needed, run, and
        checked against its expected output (✓/✗ with a diff).

        Examples:
          learn-mp lesson process
          learn-mp lesson 进程池 --no-run
          learn-mp lesson pool --compare     # also Python and Node.js, with times
        """
    )

    @Argument(help: "The lesson: slug (process), file name (01-process), number (1) or title (创建进程).",
              completion: Complete.lessons)
    var name: String

    @Flag(help: "Only show the lesson; do not build or run the demos.")
    var noRun = false

    @Flag(help: "Also run the Python original (python3) and the Node.js twin (node) and show all three outputs with their times.")
    var compare = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().lesson(name, run: !noRun, compare: compare) } }
}

struct Next: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the lesson to take next: the first one not read yet, else the first whose demos have not all passed.",
        discussion: """
        Progress is yours alone, kept in $LEARN_MP_HOME/progress.json (default: \
        $XDG_DATA_HOME/learn-mp, else ~/.local/share/learn-mp); `learn-mp list` shows it.

        Examples:
          learn-mp next
          learn-mp next --no-run
        """
    )

    @Flag(help: "Only show the lesson; do not build or run the demos.")
    var noRun = false

    @Flag(help: "Also run the Python original and the Node.js twin, with times.")
    var compare = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().next(run: !noRun, compare: compare) } }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, run and check one demo.",
        discussion: """
        Examples:
          learn-mp run create-process
          learn-mp run demo-process-attributes --python --node
        """
    )

    @Argument(help: "The demo slug (create-process) or product name (demo-create-process).", completion: Complete.programs)
    var demo: String

    @Flag(help: "Also run the sample's Python original.")
    var python = false

    @Flag(help: "Also run the sample's Node.js twin.")
    var node = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        try perform { try workspace.session().run(demo, runtimes: runtimes(python: python, node: node)) }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check lessons: parse and bind them, run every demo in parallel, compare the outputs.",
        discussion: """
        The last line is `N passed, N failed`; the exit code is 1 when anything failed.

        Examples:
          learn-mp verify all
          learn-mp verify process pool --python --node
        """
    )

    @Argument(help: ArgumentHelp("`all`, or lessons by slug, file name, number or title.", valueName: "lesson"),
              completion: Complete.lessons)
    var names: [String] = ["all"]

    @Flag(help: "Also check the Python originals (python3) against the same expected output.")
    var python = false

    @Flag(help: "Also check the Node.js twins (node) against the same expected output.")
    var node = false

    @Option(help: "How many programs run at once (default: eight per CPU; most lesson programs mostly wait).")
    var jobs: Int?

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        try perform {
            var session = try workspace.session()
            if let jobs { session.scheduler = ThreadScheduler(width: jobs) }
            return try session.verify(names, runtimes: runtimes(python: python, node: node))
        }
    }
}

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy each demo's source (Sources/Demos/<slug>/main.swift) into its lesson's swift block.",
        discussion: """
        Only the lines of blocks that differ change; line ends (CRLF too) and every other byte stay. \
        A lesson with problems (an unclosed fence) or that is not UTF-8 is left untouched and reported.

        Examples:
          learn-mp sync            # rewrite the lessons
          learn-mp sync --check    # only report blocks that differ (exit code 1 if any)
        """
    )

    @Flag(help: "Do not write; report the blocks that differ and exit with 1 if there are any.")
    var check = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().sync(check: check) } }
}

func runtimes(python: Bool, node: Bool) -> [Runtime] {
    [.swift] + (python ? [.python] : []) + (node ? [.node] : [])
}
