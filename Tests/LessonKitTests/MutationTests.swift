import Foundation
import Testing
@testable import LessonKit

/// A wrong but plausible edit of a sample (Tests/Mutants/mutants.json): a serial `map` in
/// place of the pool, a waiter that never waits, a lock removed… Each must be caught by the
/// sample's output block or facts, for every runtime it is written for.
struct Mutant: Decodable {
    /// One textual replacement: every occurrence of `from` becomes `to` (at least one must exist).
    struct Edit: Decodable {
        var from: String
        var to: String
    }

    /// The demo whose programs are edited.
    var demo: String
    /// What the edit gets wrong.
    var mutation: String
    /// Whether `make test` runs it (the rest run under `make mutants`).
    var fast: Bool
    /// The edits, by runtime (`swift`, `python`, `node`).
    var edits: [String: [Edit]]

    static let file = packageRoot + "/Tests/Mutants/mutants.json"

    static func all() throws -> [Mutant] {
        try JSONDecoder().decode([Mutant].self, from: Data(FileSystem.readText(file).utf8))
    }

    /// `text` with the edits made; throws when an edit no longer applies.
    static func apply(_ edits: [Edit], to text: String) throws -> String {
        var text = text
        for edit in edits {
            guard text.contains(edit.from) else { throw MutantError("`\(edit.from)` is not in the program any more: update Tests/Mutants/mutants.json") }
            text = text.replacingOccurrences(of: edit.from, with: edit.to)
        }
        return text
    }
}

struct MutantError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs mutants on temporary copies: the lessons and `Sources/Demos` are never touched.
enum MutantRunner {
    /// What happened to one mutant in one runtime.
    struct Outcome {
        var title: String
        var mutation: String
        /// The first reason it failed its checks; nil when it passed (escaped).
        var caughtBy: String?
        /// Why the mutant could not be judged (it did not build, crashed or hung), or nil.
        var broken: String?
    }

    static func run(_ mutant: Mutant, runtime: Runtime, edits: [Mutant.Edit], library: LessonLibrary) -> Outcome {
        let title = runtime == .swift ? mutant.demo : "\(mutant.demo) (\(runtime.label))"
        func broken(_ why: String) -> Outcome { Outcome(title: title, mutation: mutant.mutation, caughtBy: nil, broken: why) }
        guard let (lesson, sample) = try? library.sample(demo: mutant.demo),
              var job = library.jobs(for: sample, in: lesson, runtimes: [runtime]).first else {
            return broken("no \(runtime.label) program for demo \(mutant.demo)")
        }
        guard let scratch = try? FileSystem.makeTemporaryDirectory(prefix: "learn-mp-mutant") else { return broken("no temporary directory") }
        defer { FileSystem.removeTree(scratch) }
        do {
            if runtime == .swift {
                let source = try Mutant.apply(edits, to: FileSystem.readText(library.workspace.demoSource(mutant.demo)))
                job.executable = try build(source, in: scratch, buildPath: library.workspace.buildPath)
            } else {
                job.script = try Mutant.apply(edits, to: job.script ?? "")
            }
        } catch {
            return broken("\(error)")
        }
        let result = Runner.run(job)
        guard !result.spawn.timedOut, result.spawn.termination == .exited(job.expectedExit) else {
            return broken("it did not run to its end: \(result.problems.first ?? "\(result.spawn.termination)")")
        }
        let reasons = result.problems.isEmpty ? nil : result.problems.joined(separator: "; ") + (result.diff.isEmpty ? "" : "\n" + result.diff)
        return Outcome(title: title, mutation: mutant.mutation, caughtBy: reasons, broken: nil)
    }

    /// Compiles a mutated demo against the library objects of the package's debug build.
    static func build(_ source: String, in directory: String, buildPath: String) throws -> String {
        let debug = buildPath + "/debug"
        let objects = FileSystem.list(debug + "/Multiprocessing.build").filter { $0.hasSuffix(".swift.o") }.map { debug + "/Multiprocessing.build/" + $0 }
        guard !objects.isEmpty else { throw MutantError("no library objects in \(debug): run `swift build` first") }
        try FileSystem.writeText(source, to: directory + "/main.swift")
        let binary = directory + "/demo"
        let arguments = ["-I", debug + "/Modules", "-Xcc", "-fmodule-map-file=" + debug + "/CMultiprocessing.build/module.modulemap",
                         "-Xcc", "-I", "-Xcc", packageRoot + "/Sources/CMultiprocessing/include", directory + "/main.swift"]
            + objects + [debug + "/CMultiprocessing.build/shim.c.o", "-o", binary]
        let compiled = Spawn.run(SpawnRequest(executable: "swiftc", arguments: arguments, environment: nil, timeout: 600))
        guard compiled.termination == .exited(0) else { throw MutantError("the mutant does not compile: \(compiled.stderr.prefix(2000))") }
        return binary
    }
}

/// `make test` runs the fast mutants; `make mutants` (LEARN_MP_MUTANTS=all) runs them all and
/// reports `N caught of M`.
@Suite(.serialized) struct MutationTests {
    @Test func everyMutantIsCaught() throws {
        let everything = environmentValue("LEARN_MP_MUTANTS") == "all"
        let mutants = try Mutant.all().filter { everything || $0.fast }
        #expect(!mutants.isEmpty)
        let library = try LessonLibrary(workspace: Workspace(root: packageRoot))
        var outcomes: [MutantRunner.Outcome] = []
        for mutant in mutants {
            for runtime in Runtime.allCases {
                guard let edits = mutant.edits[runtime.rawValue] else { continue }
                let outcome = MutantRunner.run(mutant, runtime: runtime, edits: edits, library: library)
                let verdict = outcome.broken.map { "BROKEN  \($0)" } ?? outcome.caughtBy.map { "caught  \($0)" } ?? "ESCAPED"
                print("mutant \(outcome.title): \(outcome.mutation): \(verdict)")
                outcomes.append(outcome)
            }
        }
        let caught = outcomes.filter { $0.broken == nil && $0.caughtBy != nil }.count
        print("mutants: \(caught) caught of \(outcomes.count)")
        for outcome in outcomes {
            #expect(outcome.broken == nil, "\(outcome.title): \(outcome.mutation): \(outcome.broken ?? "")")
            #expect(outcome.broken != nil || outcome.caughtBy != nil, "\(outcome.title): \(outcome.mutation) escaped: its output and facts all passed")
        }
        for key in Set(mutants.flatMap(\.edits.keys)) { #expect(Runtime(rawValue: key) != nil, "unknown runtime \(key)") }
    }

    @Test func anEditThatNoLongerAppliesIsAnError() throws {
        #expect(throws: MutantError.self) { try Mutant.apply([Mutant.Edit(from: "absent", to: "x")], to: "print(1)\n") }
        #expect(try Mutant.apply([Mutant.Edit(from: "with lock:", to: "if True:")], to: "    with lock:\n") == "    if True:\n")
    }
}
