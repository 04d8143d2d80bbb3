import Testing
@testable import LessonKit

@Suite struct ParserTests {
    static let good = """
    ---
    title: 基础用法
    description: 创建进程
    ---

    # 基础用法

    Intro *text* with `code`.

    > [!TIP] 何时使用
    > - **CPU 密集型**: 用 `multiprocessing`

    | Python | Node.js |
    |--------|---------|
    | `Process` | `fork()` |

    ## 创建进程

    ```python
    print("hi")
    ```

    ```javascript
    console.log('hi')
    ```

    ```swift demo=say-hi
    print("hi")
    ```

    ```file name=data.txt
    one
    ```

    ```output demo=say-hi timeout=5 exit=3
    hi
    ```

    ```bash
    ls
    ```

    ```python
    print("second")
    ```

    """

    @Test func parsesFrontMatterSectionsAndSamples() throws {
        let (lesson, problems) = LessonParser.parse(Self.good, path: "lessons/03-basics.md")
        #expect(problems.isEmpty, "\(problems)")
        #expect(lesson.title == "基础用法")
        #expect(lesson.description == "创建进程")
        #expect(lesson.number == 3)
        #expect(lesson.slug == "basics")
        #expect(lesson.sections.map(\.title) == ["基础用法", "创建进程"])
        #expect(lesson.samples.count == 2, "a python block after a finished sample starts a new one")
        let sample = try #require(lesson.demos.first)
        #expect(sample.demo == "say-hi")
        #expect(sample.python?.code == "print(\"hi\")\n")
        #expect(sample.javascript?.code == "console.log('hi')\n")
        #expect(sample.swift?.line == 27)
        #expect(sample.output == ExpectedOutput(text: "hi\n", timeout: 5, exitCode: 3, line: 35))
        #expect(sample.files == [InputFile(name: "data.txt", contents: "one\n")])
    }

    @Test func parsesTipsAndTables() throws {
        let (lesson, _) = LessonParser.parse(Self.good, path: "lessons/03-basics.md")
        let blocks = lesson.sections[0].blocks
        guard case .tip(let kind, let title, let body)? = blocks.first(where: { if case .tip = $0 { true } else { false } }) else {
            Issue.record("no tip in \(blocks)")
            return
        }
        #expect(kind == "tip")
        #expect(title == "何时使用")
        #expect(body.count == 1)
        guard case .table(let header, let rows)? = blocks.first(where: { if case .table = $0 { true } else { false } }) else {
            Issue.record("no table in \(blocks)")
            return
        }
        #expect(header.map(\.plainText) == ["Python", "Node.js"])
        #expect(rows.map { $0.map(\.plainText) } == [["Process", "fork()"]])
    }

    @Test func lessonNamesFromPaths() {
        #expect(LessonParser.lessonName(fromPath: "lessons/02-pool.md") == (2, "pool"))
        #expect(LessonParser.lessonName(fromPath: "notes.md") == (0, "notes"))
    }

    func problems(_ body: String) -> [LessonError] {
        LessonParser.parse("---\ntitle: T\n---\n" + body, path: "x.md").problems
    }

    @Test func unclosedFence() {
        let found = problems("text\n\n```python\nprint(1)\n")
        #expect(found == [.unclosedFence(file: "x.md", line: 6, fence: "```")])
        #expect(found.first?.description.hasPrefix("x.md:6: code block opened with ``` is never closed") == true)
    }

    @Test func outputWithoutDemo() {
        #expect(problems("```output\nhi\n```\n") == [.outputWithoutDemo(file: "x.md", line: 4)])
    }

    @Test func outputWithoutSwiftBlock() {
        #expect(problems("```output demo=a\nhi\n```\n") == [.outputWithoutSwift(file: "x.md", line: 4, demo: "a")])
    }

    @Test func demoWithoutOutput() {
        #expect(problems("```swift demo=a\nprint(1)\n```\n\ntext\n") == [.demoWithoutOutput(file: "x.md", line: 4, demo: "a")])
    }

    @Test func mismatchedSlugs() {
        #expect(problems("```swift demo=a\n1\n```\n```output demo=b\n1\n```\n") == [.demoMismatch(file: "x.md", line: 7, swift: "a", output: "b")])
    }

    @Test func duplicateSlugs() {
        let body = "```swift demo=a\n1\n```\n```output demo=a\n1\n```\n\n```swift demo=a\n2\n```\n```output demo=a\n2\n```\n"
        #expect(problems(body) == [.duplicateDemo(file: "x.md", line: 11, demo: "a", firstFile: "x.md", firstLine: 4)])
    }

    @Test func badOptionsAndExpectedOutput() {
        let found = problems("```swift demo=a\n1\n```\n```output demo=a timeout=soon exit=x\n[unordered]\n1\n```\n")
        #expect(found.count == 3)
        #expect(found.contains(.badExpectedOutput(file: "x.md", line: 8, reason: "[unordered] is never closed; add a [/unordered] line after its last line")))
        #expect(problems("```swift demo=Bad_Slug\n1\n```\n```output demo=Bad_Slug\n1\n```\n").count == 1)
    }

    /// `timeout=inf` would turn the time limit off; every numeric option must be a finite number > 0.
    @Test(arguments: ["timeout=inf", "timeout=nan", "timeout=1e999", "timeout=0", "timeout=-1", "min-time=inf", "min-time=0"])
    func numericOptionsMustBeFiniteAndPositive(option: String) {
        let found = problems("```swift demo=a\n1\n```\n```output demo=a \(option)\n1\n```\n")
        #expect(found.count == 1, "\(found)")
        guard case .badOption(let file, let line, let named, let reason)? = found.first else { return }
        #expect(file == "x.md" && line == 7 && named == option)
        #expect(reason.contains("finite number"))
        #expect(found.first?.description.hasPrefix("x.md:7: option \(option): expected") == true)
    }

    @Test func missingFrontMatter() {
        let (_, found) = LessonParser.parse("# Title\n", path: "y.md")
        #expect(found.count == 1)
        if case .badFrontMatter(_, let line, _)? = found.first { #expect(line == 1) } else { Issue.record("\(found)") }
    }
}

@Suite struct TextWidthTests {
    @Test func cjkTakesTwoColumns() {
        #expect(TextWidth.width(of: "abc") == 3)
        #expect(TextWidth.width(of: "进程") == 4)
        #expect(TextWidth.width(of: "（自己传参）") == 12)
        #expect(TextWidth.width(of: "\u{1B}[1mab\u{1B}[0m") == 2)
    }

    @Test func wrapsChineseWithoutSpaces() {
        let lines = TextWidth.wrap("进程号每次运行都不同，用占位符表示。", columns: 10)
        #expect(lines.allSatisfy { TextWidth.width(of: $0) <= 10 })
        #expect(lines.joined() == "进程号每次运行都不同，用占位符表示。")
        #expect(!lines.contains { $0.hasPrefix("，") }, "punctuation stays with the character before it")
    }

    @Test func breaksAfterChinesePunctuationBetweenCodeWords() {
        let lines = TextWidth.wrap("名字：`Process`、`Pool`、`Lock`/`RLock`、`Event`", columns: 20)
        #expect(lines == ["名字：`Process`、", "`Pool`、", "`Lock`/`RLock`、", "`Event`"])
        #expect(lines.allSatisfy { TextWidth.width(of: $0) <= 20 })
        #expect(lines.joined() == "名字：`Process`、`Pool`、`Lock`/`RLock`、`Event`")
    }

    @Test func wrapsWordsAtSpaces() {
        #expect(TextWidth.wrap("one two three four", columns: 10) == ["one two", "three four"])
    }
}

@Suite struct ExerciseParsingTests {
    static let lesson = """
    ---
    title: T
    ---

    ## 练习

    ```swift exercise=ex-one
    // TODO
    ```

    ```output exercise=ex-one timeout=5
    done
    ```

    ```hint exercise=ex-one
    第一条
    ```

    ```hint exercise=ex-one
    第二条
    ```
    """

    @Test func anExerciseIsASampleWithHintsAndNoDemo() throws {
        let (lesson, problems) = LessonParser.parse(Self.lesson, path: "lessons/01-t.md")
        #expect(problems.isEmpty, "\(problems)")
        let exercise = try #require(lesson.exercises.first)
        #expect(exercise.exercise == "ex-one" && exercise.demo == nil && exercise.checkedSlug == "ex-one")
        #expect(exercise.hints == ["第一条\n", "第二条\n"])
        #expect(exercise.output?.text == "done\n" && exercise.output?.timeout == 5)
        #expect(lesson.demos.isEmpty, "an exercise is not a demo: sync and the demo list leave it alone")
        let text = TerminalRenderer(width: 120, style: Style(enabled: false)).render(.sample(exercise))
        #expect(text.contains("exercise ex-one, starting program") && text.contains("learn-mp play ex-one --watch. 2 hints"), "\(text)")
        #expect(!text.contains("第一条"), "hints are not shown with the lesson")
    }

    @Test func mistakesAreReportedWithTheFix() {
        let wrongHint = Self.lesson.replacingOccurrences("```hint exercise=ex-one\n第一条", "```hint exercise=ex-two\n第一条")
        let (_, problems) = LessonParser.parse(wrongHint, path: "lessons/01-t.md")
        #expect(problems.map(\.description).contains { $0.contains("a hint belongs to the exercise of its sample") }, "\(problems)")
        let mismatch = Self.lesson.replacingOccurrences("```output exercise=ex-one", "```output exercise=ex-two")
        #expect(LessonParser.parse(mismatch, path: "lessons/01-t.md").problems.contains {
            if case .demoMismatch = $0 { true } else { false }
        })
    }

    @Test func theReferenceSolutionMustExistAndIsWhatVerifyRuns() throws {
        let root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-exercise")
        defer { FileSystem.removeTree(root) }
        try copyTree(fixtures + "/workspace", to: root)
        try FileSystem.makeDirectories(root + "/lessons")
        try FileSystem.writeText(Self.lesson, to: root + "/lessons/01-t.md")
        var library = try LessonLibrary(workspace: Workspace(root: root, lessons: nil, buildPath: root + "/build"))
        #expect(library.problems["lessons/01-t.md"]?.first?.description
            == "lessons/01-t.md:7: exercise 'ex-one' has no reference solution: Sources/Demos/ex-one/main.swift does not exist. Write the finished program there (product demo-ex-one); `learn-mp verify` checks it against the exercise's expected output.")
        try FileSystem.makeDirectories(root + "/Sources/Demos/ex-one")
        try FileSystem.writeText("print(\"done\")\n", to: root + "/Sources/Demos/ex-one/main.swift")
        library = try LessonLibrary(workspace: Workspace(root: root, lessons: nil, buildPath: root + "/build"))
        #expect(library.problems.isEmpty, "the solution differs from the starting program, and that is fine")
        #expect(!library.unusedDemos.contains("ex-one"))
        let exercise = library.lessons[0].exercises[0]
        let jobs = library.jobs(for: exercise, in: library.lessons[0], runtimes: [.swift, .python, .node])
        #expect(jobs.map(\.executable) == [root + "/build/debug/demo-ex-one"], "only the Swift reference solution is checked")
        #expect(jobs.first?.expected == "done\n")
    }
}
