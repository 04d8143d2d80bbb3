import Glibc

/// All lessons of a workspace, parsed and bound to their demo sources.
///
/// Binding: every `swift demo=<slug>` block needs `Sources/Demos/<slug>/main.swift` with the
/// same text, and every slug is used once across all lessons.
public struct LessonLibrary: Sendable {
    /// The workspace.
    public var workspace: Workspace
    /// The lessons, in file order.
    public var lessons: [Lesson]
    /// Every problem found, per lesson file path.
    public var problems: [String: [LessonError]]
    /// Demo sources no lesson uses (warnings).
    public var unusedDemos: [String]
    /// The file of each lesson, by ``Lesson/path``.
    public var files: [String: String]

    /// Reads every lesson of `workspace` and binds its demos.
    ///
    /// - Throws: ``WorkspaceError/noLessons(directory:)``, or a ``FileError`` for a lesson or
    ///   demo source that cannot be read or is not UTF-8.
    public init(workspace: Workspace) throws {
        self.workspace = workspace
        let paths = workspace.lessonFiles
        guard !paths.isEmpty else { throw WorkspaceError.noLessons(directory: workspace.lessonsDirectory) }
        lessons = []
        problems = [:]
        files = [:]
        var firstUse: [String: (file: String, line: Int)] = [:]
        for file in paths {
            let text = try FileSystem.readUTF8(file)
            let (lesson, found) = LessonParser.parse(text, path: relativePath(file, to: workspace.root))
            var issues = found
            let unclosed = found.first { if case .unclosedFence = $0 { true } else { false } }
            for sample in lesson.samples where sample.line < (unclosed?.line ?? Int.max) {
                guard let swift = sample.swift, let demo = sample.checkedSlug, isValidSlug(demo) else { continue }
                if let first = firstUse[demo], first.file != lesson.path {
                    issues.append(.duplicateDemo(file: lesson.path, line: swift.line, demo: demo, firstFile: first.file, firstLine: first.line))
                } else if firstUse[demo] == nil {
                    firstUse[demo] = (lesson.path, swift.line)
                }
                if sample.exercise != nil {
                    // The starting program is not the solution: only the solution must exist.
                    if !FileSystem.exists(workspace.demoSource(demo)) {
                        issues.append(.exerciseWithoutSolution(file: lesson.path, line: swift.line, exercise: demo,
                                                               expectedPath: relativePath(workspace.demoSource(demo), to: workspace.root)))
                    }
                } else {
                    issues += try LessonLibrary.bind(swift: swift, demo: demo, file: lesson.path, workspace: workspace)
                }
            }
            lessons.append(lesson)
            files[lesson.path] = file
            if !issues.isEmpty { problems[lesson.path] = issues.sorted { $0.line < $1.line } }
        }
        unusedDemos = workspace.demoSlugs.filter { firstUse[$0] == nil }
    }

    /// Checks one swift block against its source file.
    static func bind(swift: CodeBlock, demo: String, file: String, workspace: Workspace) throws(FileError) -> [LessonError] {
        let source = workspace.demoSource(demo)
        let display = relativePath(source, to: workspace.root)
        guard let expected = try blockText(ofSource: source) else {
            return [.demoWithoutSource(file: file, line: swift.line, demo: demo, expectedPath: display)]
        }
        guard expected != swift.code else { return [] }
        let diff = UnifiedDiff.diff(expected, swift.code, oldLabel: display, newLabel: "\(file) (swift demo=\(demo))")
        return [.drifted(file: file, line: swift.line, demo: demo, sourcePath: display, diff: diff)]
    }

    /// The text a `swift demo=<slug>` block must hold for the demo source at `path`, as the
    /// parser reads a block (`\n` line ends, a final newline); nil when there is no source.
    /// The one comparison of `verify` (a drifted block) and `sync` (the block it writes).
    static func blockText(ofSource path: String) throws(FileError) -> String? {
        let text: String
        do {
            text = try FileSystem.readUTF8(path)
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw error
        }
        let lines = text.replacing("\r\n", with: "\n")
        return lines.hasSuffix("\n") ? lines : lines + "\n"
    }

    // MARK: - Finding

    /// The lesson named `name`: its slug (`pool`), file name (`02-pool`, `02-pool.md`), number
    /// (`2`), title, or a part of the title that only one lesson has (`进程池`).
    ///
    /// - Throws: ``WorkspaceError/unknownLesson(name:closest:available:)`` with the closest names.
    public func lesson(named name: String) throws(WorkspaceError) -> Lesson {
        var key = name
        if key.hasSuffix(".md") { key.removeLast(3) }
        if let slash = key.lastIndex(of: "/") { key = String(key[key.index(after: slash)...]) }
        if let number = Int(key), let lesson = lessons.first(where: { $0.isNumbered && $0.number == number }) { return lesson }
        if let lesson = lessons.first(where: { $0.slug == key || $0.name == key }) { return lesson }
        // By title (`进程池`, `进程池 Pool`): the whole title, else the one title that contains it.
        let lowered = name.lowercased()
        if let lesson = lessons.first(where: { $0.title.lowercased() == lowered }) { return lesson }
        let containing = lessons.filter { $0.title.lowercased().contains(lowered) }
        if containing.count == 1 { return containing[0] }
        if containing.count > 1 {
            throw .ambiguousLesson(name: name, matches: containing.map { "\($0.slug) (\($0.title))" })
        }
        let names = lessons.map(\.slug)
        throw .unknownLesson(name: name, closest: closestNames(to: key, in: names + lessons.map(\.name)).reduce(into: []) {
            let slug = LessonParser.lessonName(fromPath: $1).slug
            if !$0.contains(slug) { $0.append(slug) }
        }, available: lessons.map(\.name))
    }

    /// The sample whose demo (or exercise) is `slug`, with its lesson.
    ///
    /// - Throws: ``WorkspaceError/unknownDemo(name:closest:)``.
    public func sample(demo slug: String) throws(WorkspaceError) -> (lesson: Lesson, sample: Sample) {
        var key = slug
        if key.hasPrefix("demo-") { key.removeFirst(5) }
        for lesson in lessons {
            if let sample = lesson.samples.first(where: { $0.checkedSlug == key }) { return (lesson, sample) }
        }
        let all = lessons.flatMap { $0.samples.compactMap(\.checkedSlug) }
        throw .unknownDemo(name: slug, closest: closestNames(to: key, in: all))
    }

    /// The problems of one lesson.
    public func problems(of lesson: Lesson) -> [LessonError] { problems[lesson.path] ?? [] }

    // MARK: - Completion

    /// The names a shell completes for a lesson argument: slugs and file names.
    public var lessonNames: [String] { lessons.flatMap { [$0.slug, $0.name] } }

    /// The names a shell completes for a demo argument: demo and exercise slugs.
    public var programNames: [String] { lessons.flatMap { $0.samples.compactMap(\.checkedSlug) } }

    /// The exercise slugs.
    public var exerciseNames: [String] { lessons.flatMap { $0.exercises.compactMap(\.exercise) } }

    // MARK: - Jobs

    /// The jobs that check `sample`: the Swift demo and, when asked, the Python and Node.js
    /// programs. For an exercise, the Swift job runs its reference solution (its other
    /// programs are starting points, not solutions, and are not checked).
    public func jobs(for sample: Sample, in lesson: Lesson, runtimes: [Runtime] = [.swift]) -> [RunJob] {
        guard let demo = sample.checkedSlug, let output = sample.output else { return [] }
        var jobs: [RunJob] = []
        for runtime in runtimes where sample.exercise == nil || runtime == .swift {
            let executable: String
            var script: String?
            switch runtime {
            case .swift: executable = workspace.demoBinary(demo)
            case .python:
                guard let code = sample.python?.code else { continue }
                executable = "python3"
                script = code
            case .node:
                guard let code = sample.javascript?.code else { continue }
                executable = "node"
                script = code
            }
            jobs.append(RunJob(lesson: lesson.name, demo: demo, runtime: runtime, executable: executable, script: script,
                               files: sample.files, expected: output.text, expectedExit: output.exitCode,
                               timeout: output.timeout, facts: output.facts, outputLimit: 1 << 20))
        }
        return jobs
    }
}

/// `path` relative to `base` when it is inside it.
func relativePath(_ path: String, to base: String) -> String {
    let prefix = base.hasSuffix("/") ? base : base + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
