extension Session {
    // MARK: - list

    /// `learn-mp list`: each lesson with what this learner did (read, each demo's last check in
    /// each language, stale when the sample changed since, their own copy's last check) and
    /// the lesson to take next.
    public func list() throws -> Int32 {
        let library = try library()
        let store = loadResults()
        let progress = Progress.load(home.progressFile)
        var out = ""
        var anyStale = false
        for lesson in library.lessons {
            let problems = library.problems(of: lesson)
            let read = progress.read[lesson.name] != nil
            let passed = lesson.demos.filter { progress.status(of: $0, .swift) == .checked(passed: true) }.count
            var state = read ? style.green("read") : style.dim("unread")
            if !lesson.demos.isEmpty {
                let count = "\(passed)/\(lesson.demos.count) passed"
                state += "  " + (passed == lesson.demos.count ? style.green(count) : count)
            }
            out += style.bold(TextWidth.pad(lesson.name, to: 22)) + " " + TextWidth.pad(lesson.title, to: 28) + " " + state
            out += problems.isEmpty ? "\n" : style.red("  (\(problems.count) problem\(problems.count == 1 ? "" : "s"): learn-mp verify \(lesson.slug))") + "\n"
            for sample in lesson.demos {
                let demo = sample.demo!
                var line = "    " + TextWidth.pad("demo-" + demo, to: 30)
                let checks = Runtime.allCases.compactMap { runtime -> String? in
                    switch progress.status(of: sample, runtime) {
                    case .notRun: return nil
                    case .checked(let passed): return runtime.label + " " + mark(passed)
                    case .stale(let passed):
                        anyStale = true
                        return style.dim(runtime.label + " " + (passed ? "✓" : "✗") + " stale")
                    }
                }
                line += checks.isEmpty ? style.dim("not run yet") : checks.joined(separator: "  ")
                let copies = Runtime.allCases.compactMap { runtime -> String? in
                    progress.played[runtime == .swift ? demo : "\(demo) (\(runtime.label))"].map { runtime.label + " " + mark($0.passed) }
                }
                if !copies.isEmpty { line += style.dim("   your copy: ") + copies.joined(separator: "  ") }
                out += line + "\n"
            }
            for sample in lesson.exercises {
                let exercise = sample.exercise!
                var line = "    " + TextWidth.pad("exercise " + exercise, to: 30)
                line += progress.played[exercise].map { "your copy " + mark($0.passed) } ?? style.dim("not tried yet")
                if let seen = progress.hintsShown[exercise] { line += style.dim("   hints \(seen)/\(sample.hints.count)") }
                out += line + "\n"
            }
        }
        if !library.unusedDemos.isEmpty {
            out += style.yellow("demos no lesson uses: \(library.unusedDemos.joined(separator: ", "))") + "\n"
        }
        if anyStale {
            out += style.dim("stale: the sample changed since that check; run it again") + "\n"
        }
        if let next = progress.next(in: library.lessons) {
            out += "\n" + style.bold("Next: ") + next.displayTitle + " — " + style.cyan("learn-mp next") + "\n"
        }
        out = fitted(out, to: width)
        paged(lines: lineCount(out)) { writeOut(out) }
        return 0
    }
}
