import ArgumentParser
import LessonKit

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit a sample and check it: your own copy, built and run against the lesson's expected output.",
        discussion: """
        The first time, the sample is copied to $LEARN_MP_HOME/play/<demo>/ (default: \
        $XDG_DATA_HOME/learn-mp, else ~/.local/share/learn-mp): main.swift, main.py, main.js. \
        Edit the copy; the lessons and Sources/Demos are never changed. The Swift copy is a \
        SwiftPM package that uses this repository's Multiprocessing library: the first build \
        compiles the library too and takes a minute or more.

        Examples:
          learn-mp play pool-map                   # the Swift copy
          learn-mp play pool-map --python --watch  # check again on every save
          learn-mp play pool-map --reset           # back to the lesson's version
        """
    )

    @Argument(help: "The demo or exercise slug (pool-map, ex-pool-cubes).", completion: Complete.programs)
    var demo: String

    @Flag(help: "Play the Swift copy (the default when no language is given).")
    var swift = false

    @Flag(help: "Play the Python copy.")
    var python = false

    @Flag(help: "Play the Node.js copy.")
    var node = false

    @Flag(help: "After the first check, check again whenever a copy is saved (Ctrl-C stops).")
    var watch = false

    @Flag(help: "Replace the copies with the lesson's versions first.")
    var reset = false

    @Option(help: .hidden)
    var checks: Int?

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        var chosen = (swift ? [Runtime.swift] : []) + (python ? [.python] : []) + (node ? [.node] : [])
        if chosen.isEmpty { chosen = [.swift] }
        try perform { try workspace.session().play(demo, runtimes: chosen, reset: reset, watch: watch, checks: checks) }
    }
}

struct Hint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an exercise's hints, one more each time.",
        discussion: """
        Each lesson ends with exercises: a starting program with a part to write and the output \
        it must print. `learn-mp play <exercise> --watch` gives you your own copy and checks it \
        on every save; `learn-mp hint <exercise>` shows the hints seen so far and the next one.

        Examples:
          learn-mp hint ex-exit-codes
          learn-mp hint ex-exit-codes --all
        """
    )

    @Argument(help: "The exercise slug (ex-exit-codes).", completion: Complete.exercises)
    var exercise: String

    @Flag(help: "Show every hint at once.")
    var all = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().hint(exercise, all: all) } }
}
