import Testing
@testable import LessonKit

@Suite struct LibraryTests {
    /// A scratch workspace with the fixture demo sources and the given lesson files.
    func workspace(_ lessons: [String: String]) throws -> Workspace {
        let root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-library")
        try copyTree(fixtures + "/workspace", to: root)
        try FileSystem.makeDirectories(root + "/lessons")
        for (name, text) in lessons { try FileSystem.writeText(text, to: root + "/lessons/" + name) }
        return try Workspace(root: root, lessons: nil, buildPath: root + "/build")
    }

    static let greet = """
    ```swift demo=greet
    import Glibc

    print("Main process PID: \\(getpid())")
    print("Worker A, Parent PID: \\(getpid())")
    ```

    ```output demo=greet
    Main process PID: [PID:main]
    Worker A, Parent PID: [PID:main]
    ```
    """

    @Test func bindsDemosAndFindsLessons() throws {
        let workspace = try workspace(["01-first.md": "---\ntitle: First\n---\n\n" + Self.greet + "\n",
                                       "02-pool.md": "---\ntitle: Pool\n---\n\ntext\n"])
        defer { FileSystem.removeTree(workspace.root) }
        let library = try LessonLibrary(workspace: workspace)
        #expect(library.problems.isEmpty, "\(library.problems)")
        #expect(library.unusedDemos == ["flood", "hang"])
        #expect(try library.lesson(named: "pool").number == 2)
        #expect(try library.lesson(named: "2").slug == "pool")
        #expect(try library.lesson(named: "01-first").slug == "first")
        #expect(try library.lesson(named: "lessons/02-pool.md").slug == "pool")
        #expect(try library.sample(demo: "demo-greet").lesson.slug == "first")
        #expect(throws: WorkspaceError.self) { try library.lesson(named: "poll") }
        do {
            _ = try library.lesson(named: "poll")
        } catch {
            #expect(error.description.contains("Did you mean: pool?"))
        }
        let jobs = library.jobs(for: library.lessons[0].demos[0], in: library.lessons[0], runtimes: [.swift, .python, .node])
        #expect(jobs.map(\.runtime) == [.swift], "the sample has no python or javascript block")
        #expect(jobs.first?.executable == workspace.root + "/build/debug/demo-greet")
    }

    @Test func aSlugUsedByTwoLessonsIsAnError() throws {
        let workspace = try workspace(["01-a.md": "---\ntitle: A\n---\n\n" + Self.greet + "\n",
                                       "02-b.md": "---\ntitle: B\n---\n\n" + Self.greet + "\n"])
        defer { FileSystem.removeTree(workspace.root) }
        let library = try LessonLibrary(workspace: workspace)
        let problems = library.problems["lessons/02-b.md"] ?? []
        #expect(problems == [.duplicateDemo(file: "lessons/02-b.md", line: 5, demo: "greet", firstFile: "lessons/01-a.md", firstLine: 5)])
    }

    @Test func closestNames() {
        #expect(LessonKit.closestNames(to: "proces", in: ["process", "pool", "queue"]) == ["process"])
        #expect(LessonKit.closestNames(to: "zzzzzz", in: ["process", "pool"]).isEmpty)
    }
}
