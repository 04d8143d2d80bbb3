import Glibc
import Testing
@testable import LessonKit

/// `learn-mp lesson` on a real pseudo-terminal (util-linux `script`): the pager and colour.
@Suite(.serialized) struct TerminalTTYTests {
    struct Outcome {
        /// What reached the terminal.
        var screen: String
        /// What the pager read, or nil when no pager ran.
        var paged: String?
        /// The `LESS` the pager saw.
        var less: String?
    }

    /// Runs `learn-mp <arguments>` for this repository's lessons on a `rows`×`columns`
    /// terminal, with `PAGER` a script that keeps what it reads (unless `environment` sets
    /// `PAGER` itself), or through a pipe when `tty` is false.
    func run(_ arguments: [String], rows: Int = 20, columns: Int = 60, tty: Bool = true,
             environment: [String: String] = [:]) throws -> Outcome {
        let learnMP = packageRoot + "/.build/debug/learn-mp"
        #expect(FileSystem.exists(learnMP), "build learn-mp first (swift build)")
        let scratch = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-tty")
        defer { FileSystem.removeTree(scratch) }
        try writeScript("cat > \(scratch)/paged\nprintf '%s' \"${LESS-unset}\" > \(scratch)/less\n", to: scratch + "/pager")
        let command = ([learnMP] + arguments + ["--root", packageRoot]).map { "'\($0)'" }.joined(separator: " ")
        var env = ["PATH": environmentValue("PATH") ?? "/usr/bin:/bin", "TERM": "xterm", "HOME": scratch,
                   "PAGER": scratch + "/pager", "LEARN_MP_HOME": scratch + "/home"]
        env.merge(environment) { _, given in given }
        let request = tty
            ? SpawnRequest(executable: "script", arguments: ["-qec", "stty rows \(rows) cols \(columns); exec \(command)", "/dev/null"],
                           environment: env, directory: scratch, timeout: 60)
            : SpawnRequest(executable: learnMP, arguments: arguments + ["--root", packageRoot],
                           environment: env.merging(["COLUMNS": "\(columns)"]) { $1 }, directory: scratch, timeout: 60)
        let result = Spawn.run(request)
        #expect(result.termination == .exited(0), "\(result.termination): \(result.stderr)")
        return Outcome(screen: result.stdout, paged: try? FileSystem.readText(scratch + "/paged"),
                       less: try? FileSystem.readText(scratch + "/less"))
    }

    func hasColour(_ text: String) -> Bool { text.contains("\u{1B}[1m") || text.contains("\u{1B}[2m") }

    @Test func aLongLessonGoesThroughThePagerInColour() throws {
        let outcome = try run(["lesson", "8", "--no-run"])
        let paged = try #require(outcome.paged, "the pager ran")
        #expect(paged.contains("与 Node.js 的主要差异"))
        #expect(hasColour(paged), "the pager gets colour: standard output was a terminal")
        #expect(outcome.less == "FRX", "LESS defaults to FRX")
        #expect(!outcome.screen.contains("与 Node.js 的主要差异"), "the text went to the pager, not the screen")
        for line in paged.split(separator: "\n") {
            #expect(TerminalWidthTests.problems(line, width: 60).isEmpty, "\(String(reflecting: String(line)))")
        }
    }

    @Test func theUsersLessIsKept() throws {
        let outcome = try run(["lesson", "8", "--no-run"], environment: ["LESS": "-S"])
        #expect(outcome.paged != nil)
        #expect(outcome.less == "-S")
    }

    @Test func noPagerAndShortTextGoStraightToTheScreen() throws {
        let unpaged = try run(["lesson", "8", "--no-run", "--no-pager"])
        #expect(unpaged.paged == nil)
        #expect(unpaged.screen.contains("与 Node.js 的主要差异"))
        #expect(hasColour(unpaged.screen))
        let tall = try run(["lesson", "8", "--no-run"], rows: 2000)
        #expect(tall.paged == nil, "the lesson fits a 2000-row terminal")
        #expect(tall.screen.contains("与 Node.js 的主要差异"))
        let off = try run(["lesson", "8", "--no-run"], environment: ["PAGER": "cat"])
        #expect(off.paged == nil)
        #expect(off.screen.contains("与 Node.js 的主要差异"))
    }

    @Test func colourFollowsTheFlagAndTheEnvironment() throws {
        let cases: [(arguments: [String], environment: [String: String], tty: Bool, colour: Bool)] = [
            (["--no-pager"], ["NO_COLOR": "1"], true, false),
            (["--no-pager", "--color", "never"], [:], true, false),
            (["--no-pager", "--color", "always"], ["NO_COLOR": "1"], true, true),
            (["--no-pager"], ["NO_COLOR": "1", "FORCE_COLOR": "1"], true, true),
            ([], [:], false, false),
            ([], ["FORCE_COLOR": "1"], false, true),
            ([], ["CLICOLOR_FORCE": "1"], false, true),
            ([], ["FORCE_COLOR": "0"], false, false),
            (["--color", "always"], [:], false, true),
        ]
        for (arguments, environment, tty, colour) in cases {
            let outcome = try run(["lesson", "8", "--no-run"] + arguments, tty: tty, environment: environment)
            #expect(outcome.paged == nil, "no pager unless on a terminal: \(arguments) \(environment)")
            #expect(hasColour(outcome.screen) == colour, "\(arguments) \(environment) tty: \(tty)")
            #expect(outcome.screen.contains("与 Node.js 的主要差异"))
        }
    }

    @Test func styleChoiceRules() {
        func style(_ choice: ColorChoice, _ environment: [String: String]) -> Bool {
            Style.automatic(choice, descriptor: -1, environment: { environment[$0] }).enabled
        }
        #expect(!style(.auto, [:]), "not a terminal")
        #expect(style(.auto, ["FORCE_COLOR": "3"]))
        #expect(!style(.auto, ["FORCE_COLOR": ""]))
        #expect(style(.auto, ["CLICOLOR_FORCE": "1", "NO_COLOR": "1"]))
        #expect(style(.always, [:]))
        #expect(!style(.never, ["FORCE_COLOR": "1"]))
        #expect(Pager.configured(environment: { ["PAGER": " "][$0] }) == nil)
        #expect(Pager.configured(environment: { ["PAGER": "most -s"][$0] })?.command == "most -s")
    }
}
