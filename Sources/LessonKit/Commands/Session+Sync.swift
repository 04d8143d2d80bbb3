extension Session {
    // MARK: - sync

    /// `learn-mp sync`: rewrites each lesson's drifted `swift demo=<slug>` blocks from the demo
    /// sources (`check`: only reports them).
    ///
    /// Lessons are read through ``LessonLibrary``, whose drift check decides what is rewritten.
    /// A lesson with problems other than drift (an unclosed fence, which swallows what follows
    /// it) is left untouched and reported, as is a file that is not UTF-8. Only the lines of the
    /// drifted blocks change: every other byte and the file's line ends stay, and the file is
    /// replaced through a temporary file and a rename, keeping its permissions.
    ///
    /// - Returns: 0 when done (or, with `check`, nothing differs); 1 when a block differs under
    ///   `check` or a lesson had to be left alone.
    public func sync(check: Bool = false) throws -> Int32 {
        let library = try library()
        var changed = 0
        var refused = 0
        for lesson in library.lessons {
            let problems = library.problems(of: lesson)
            let drifted = problems.compactMap { problem -> (line: Int, demo: String)? in
                if case .drifted(_, let line, let demo, _, _) = problem { (line, demo) } else { nil }
            }
            let blocking = problems.filter {
                switch $0 {
                case .drifted, .demoWithoutSource: false
                default: true
                }
            }
            if !blocking.isEmpty {
                refused += 1
                writeError(style.red("error: ") + "\(lesson.path) not synced: fix its problems first (nothing in it was changed):\n"
                    + blocking.map { "  " + $0.description + "\n" }.joined())
                continue
            }
            guard !drifted.isEmpty, let file = library.files[lesson.path] else { continue }
            var bytes = try FileSystem.readBytes(file)
            var updated: [String] = []
            for (line, demo) in drifted.sorted(by: { $0.line > $1.line }) {
                guard let block = lesson.samples.first(where: { $0.swift?.line == line })?.swift,
                      let source = try LessonLibrary.blockText(ofSource: workspace.demoSource(demo)),
                      let edited = LessonText.replacingBlock(in: bytes, fence: line, old: block.code, new: source) else {
                    writeError(style.red("error: ") + "\(lesson.path):\(line): the swift block of demo '\(demo)' is not where the parser read it (was the file edited meanwhile?); \(lesson.path) was not changed. Run `learn-mp sync` again.\n")
                    updated = []
                    refused += 1
                    break
                }
                bytes = edited
                updated.append(demo)
            }
            guard !updated.isEmpty else { continue }
            changed += updated.count
            let names = updated.reversed().joined(separator: ", ")
            if check {
                writeOut("\(lesson.path): out of date: \(names)\n")
            } else {
                try FileSystem.writeBytes(bytes, to: file, durable: true)
                writeOut("\(lesson.path): updated \(names)\n")
            }
        }
        if changed == 0 && refused == 0 { writeOut("every swift block matches its demo source\n") }
        return refused > 0 || (check && changed > 0) ? 1 : 0
    }
}
