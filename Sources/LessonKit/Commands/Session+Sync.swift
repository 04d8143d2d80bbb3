extension Session {
    // MARK: - sync

    /// `learn-mp sync`: rewrites each lesson's `swift demo=<slug>` blocks from the demo sources.
    public func sync(check: Bool = false) throws -> Int32 {
        var changed = 0
        for file in workspace.lessonFiles {
            let text = try FileSystem.readText(file)
            let display = relativePath(file, to: workspace.root)
            let (lesson, _) = LessonParser.parse(text, path: display)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var updated: [String] = []
            for sample in lesson.samples.reversed() {
                guard let swift = sample.swift, let demo = sample.demo,
                      var source = try? FileSystem.readText(workspace.demoSource(demo)) else { continue }
                if !source.hasSuffix("\n") { source += "\n" }
                guard source != swift.code else { continue }
                let oldCount = swift.code.split(separator: "\n", omittingEmptySubsequences: false).count - 1
                let first = swift.line  // the line after the opening fence, 0-based
                guard first + oldCount <= lines.count else { continue }
                let newLines = source.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                lines.replaceSubrange(first..<(first + oldCount), with: newLines)
                updated.append(demo)
            }
            guard !updated.isEmpty else { continue }
            changed += updated.count
            if check {
                writeOut("\(display): out of date: \(updated.reversed().joined(separator: ", "))\n")
            } else {
                try FileSystem.writeText(lines.joined(separator: "\n"), to: file)
                writeOut("\(display): updated \(updated.reversed().joined(separator: ", "))\n")
            }
        }
        writeOut(changed == 0 ? "every swift block matches its demo source\n" : "")
        return check && changed > 0 ? 1 : 0
    }
}
