import ArgumentParser
import LessonKit

/// `learn-mp`: read the lessons in a terminal, run their demos, check them.
@main
struct LearnMP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn-mp",
        abstract: "Learn Python's multiprocessing (and Node.js's take on it) by running it in Swift.",
        discussion: """
        Lessons are Markdown files in lessons/. Each sample has the Python original, a Node.js \
        twin, a Swift demo (Sources/Demos/<slug>/main.swift) and its expected output.

        Examples:
          learn-mp list
          learn-mp lesson process        # or: learn-mp lesson 1
          learn-mp run create-process
          learn-mp play pool-map --watch   # your own copy, checked on every save
          learn-mp verify all --python --node
          learn-mp sync
          learn-mp export --out site
        """,
        subcommands: [List.self, ShowLesson.self, Next.self, Run.self, Play.self, Hint.self, Verify.self, Sync.self, Export.self]
    )
}

/// Where the package, the lessons and the build are.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The package root (default: the nearest directory above with Package.swift).", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("The lessons directory (default: <root>/lessons).", valueName: "dir"))
    var lessons: String?

    @Option(help: ArgumentHelp("SwiftPM's build directory; demos are <dir>/debug/demo-<slug> (default: $LEARN_MP_BUILD_PATH or <root>/.build).", valueName: "dir"))
    var buildPath: String?

    @Option(help: ArgumentHelp("Colour: auto (on a terminal; FORCE_COLOR, CLICOLOR_FORCE and NO_COLOR are obeyed), always, never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(help: "Never page; by default text taller than the terminal goes through $PAGER (else less).")
    var noPager = false

    func session() throws -> Session {
        try Session(workspace: Workspace(root: root, lessons: lessons, buildPath: buildPath),
                    style: .automatic(color), pager: noPager ? nil : Pager.configured())
    }
}

extension ColorChoice: ExpressibleByArgument {}

/// Runs `body`, printing LessonKit's errors as `error: …` with exit code 2.
func perform(_ body: () throws -> Int32) throws {
    let code: Int32
    do {
        code = try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        writeError("error: \(error)\n")
        throw ExitCode(2)
    }
    if code != 0 { throw ExitCode(code) }
}
