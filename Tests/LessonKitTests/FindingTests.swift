import Testing
@testable import LessonKit

/// Lessons found by their Chinese titles, and the names the shell completes.
@Suite struct FindingTests {
    let library: LessonLibrary

    init() throws {
        library = try LessonLibrary(workspace: Workspace(root: packageRoot, lessons: nil, buildPath: nil))
    }

    @Test func aLessonIsFoundByItsTitleOrAPartOnlyItHas() throws {
        #expect(try library.lesson(named: "进程池").slug == "pool")
        #expect(try library.lesson(named: "进程池 Pool").slug == "pool")
        #expect(try library.lesson(named: "共享内存").slug == "shared-memory")
        #expect(try library.lesson(named: "processpoolexecutor").slug == "executor")
        do {
            _ = try library.lesson(named: "进程")
            Issue.record("'进程' is in several titles")
        } catch {
            #expect(error.description.hasPrefix("'进程' is in the titles of several lessons: "))
            #expect(error.description.contains("pool (进程池 Pool)"))
        }
    }

    @Test func theShellCompletesLessonsDemosAndExercises() throws {
        let learnMP = packageRoot + "/.build/debug/learn-mp"
        func complete(_ command: String, _ typed: String) -> [String] {
            let words = ["learn-mp", command, typed, "--root", packageRoot]
            let request = SpawnRequest(executable: learnMP, arguments: ["---completion", command, "--", "positional@0", "2", "\(typed.count)"] + words,
                                       environment: Runner.environment(trace: nil), directory: packageRoot, timeout: 30)
            let result = Spawn.run(request)
            #expect(result.termination == .exited(0), "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(complete("lesson", "po") == ["pool"])
        #expect(complete("lesson", "0").contains("02-pool"))
        #expect(complete("run", "pool-").sorted() == ["pool-apply-starmap", "pool-map", "pool-progress"])
        #expect(Set(complete("play", "ex-")) == Set(library.exerciseNames))
        #expect(complete("hint", "ex-p").sorted() == ["ex-parent-child", "ex-pipe-upper", "ex-pool-cubes"])
        #expect(library.exerciseNames.count >= library.lessons.count, "every lesson has an exercise")
        #expect(library.lessons.allSatisfy { !$0.exercises.isEmpty })
    }
}
