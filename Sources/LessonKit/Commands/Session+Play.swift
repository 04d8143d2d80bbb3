extension Session {
    // MARK: - play

    /// `learn-mp play <demo>`: copies the sample into the learner's playground (once; again
    /// with `reset`), builds and runs each copy of `runtimes` against the lesson's expected
    /// output, shows the output, the diff and the timeline, and with `watch` checks again
    /// whenever a copy is saved with new content.
    ///
    /// The lessons and `Sources/Demos` are only read.
    ///
    /// - Parameters:
    ///   - name: The demo or exercise.
    ///   - runtimes: The languages of the copies to check (Swift by default).
    ///   - reset: Replace the learner's copies with the lesson's programs first.
    ///   - watch: Check again whenever a copy is saved with new content.
    ///   - checks: With `watch`, stop after this many checks (nil: until interrupted).
    /// - Returns: 0 when the last check of every copy passed, else 1.
    public func play(_ name: String, runtimes: [Runtime] = [.swift], reset: Bool = false, watch: Bool = false,
                     checks: Int? = nil) throws -> Int32 {
        let library = try library()
        let (lesson, sample) = try library.sample(demo: name)
        guard let slug = sample.checkedSlug else { return 1 }
        let playground = Playground(home: home, workspace: workspace)
        let available = runtimes.filter { Playground.original(sample, $0) != nil }
        for missing in runtimes where !available.contains(missing) {
            writeError(style.yellow("warning: ") + "\(lesson.name) has no \(missing.label) program for \(slug)\n")
        }
        guard !available.isEmpty else { return 1 }
        let written = try playground.prepare(sample, runtimes: available, reset: reset)
        for runtime in available {
            let path = playground.copy(slug, runtime)
            let state = written.contains(path) ? (reset ? "restored from the lesson" : "copied from the lesson")
                : (try? FileSystem.readText(path)) == Playground.original(sample, runtime) ? "as in the lesson" : "your edits (--reset restores the lesson's)"
            writeOut(style.bold("your copy: ") + path + style.dim("  " + state) + "\n")
        }
        writeOut(style.dim("checked against the expected output of \(lesson.name), \"\(sample.sectionTitle)\"") + "\n\n")
        var passed = check(sample, in: lesson, runtimes: available, library: library, playground: playground)
        guard watch else { return passed ? 0 : 1 }
        var done = 1
        let files = available.map { playground.copy(slug, $0) }
        while checks.map({ done < $0 }) ?? true {
            writeOut(style.dim("watching \(files.count == 1 ? files[0] : "\(files.count) files"): save to check again, Ctrl-C to stop") + "\n")
            FileSystem.waitForChange(of: files)
            writeOut("\n" + style.bold("── changed: checking again") + "\n")
            passed = check(sample, in: lesson, runtimes: available, library: library, playground: playground)
            done += 1
        }
        return passed ? 0 : 1
    }

    /// Builds (Swift) and runs each copy once; whether all passed.
    func check(_ sample: Sample, in lesson: Lesson, runtimes: [Runtime], library: LessonLibrary, playground: Playground) -> Bool {
        let renderer = TerminalRenderer(width: min(width, 100), style: style)
        var results: [RunResult] = []
        for runtime in runtimes {
            guard let job = playground.job(for: sample, in: lesson, runtime: runtime, library: library) else { continue }
            if runtime == .swift {
                writeError(style.dim(playground.isFirstBuild
                    ? "Building your copy (the first build also compiles the Multiprocessing library: a minute or more)…"
                    : "Building your copy…") + "\n")
                if let failure = playground.build(job.demo) {
                    var result = Runner.failed(job, "build failed: fix the compile errors in \(playground.copy(job.demo, .swift))")
                    result.spawn.stderr = failure
                    writeOut(mark(false) + " " + job.title + "\n" + failureReport(result))
                    results.append(result)
                    continue
                }
            }
            results.append(runInPlace(job, renderer: renderer, build: false))
        }
        recordProgress(results, played: true)
        return results.allSatisfy(\.passed) && !results.isEmpty
    }
}
