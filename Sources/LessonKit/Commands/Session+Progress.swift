extension Session {
    // MARK: - next

    /// `learn-mp next`: shows the lesson to take next (see ``Progress/next(in:)``).
    public func next(run: Bool = true, compare: Bool = false) throws -> Int32 {
        let library = try library()
        guard let lesson = Progress.load(home.progressFile).next(in: library.lessons) else {
            writeOut("Every lesson is read and every demo passed. `learn-mp play <demo>` to experiment further.\n")
            return 0
        }
        return try self.lesson(lesson.name, run: run, compare: compare)
    }

    // MARK: - Recording progress

    /// Remembers that `lesson` was shown, and returns the line that says what comes next.
    func markRead(_ lesson: Lesson, in library: LessonLibrary) -> String {
        var progress = Progress.load(home.progressFile)
        progress.markRead(lesson)
        save(progress)
        let line: String
        if let next = progress.next(in: library.lessons) {
            let why = progress.read[next.name] == nil ? "" : style.dim(" (some of its demos have not passed yet)")
            line = style.bold("Next: ") + next.displayTitle + why + " — " + style.cyan("learn-mp next")
        } else {
            line = style.bold("Next: ") + "every lesson is read and passed; `learn-mp play <demo>` to experiment"
        }
        return TextWidth.wrap(line, columns: min(width, 100)).joined(separator: "\n") + "\n"
    }

    /// Remembers the checks in `results` (of the learner's copies with `played`).
    func recordProgress(_ results: [RunResult], played: Bool) {
        guard !results.isEmpty else { return }
        let playground = Playground(home: home, workspace: workspace)
        var progress = Progress.load(home.progressFile)
        progress.record(results, played: played) { job in
            if let script = job.script { return script }
            let path = played ? playground.copy(job.demo, .swift) : workspace.demoSource(job.demo)
            let text = (try? FileSystem.readText(path)) ?? ""
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        save(progress)
    }

    private func save(_ progress: Progress) {
        do {
            try progress.save(home.progressFile)
        } catch {
            writeError(style.yellow("warning: ") + "progress not saved: \(error) (set LEARN_MP_HOME to a writable folder)\n")
        }
    }
}
