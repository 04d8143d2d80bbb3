extension Session {
    // MARK: - verify

    /// `learn-mp verify all|<lesson>…`: checks lessons and runs their demos in parallel.
    ///
    /// The last line is `N passed, N failed`; the exit code is 1 when anything failed.
    public func verify(_ names: [String], runtimes: [Runtime] = [.swift]) throws -> Int32 {
        let library = try library()
        let lessons = names.isEmpty || names == ["all"] ? library.lessons : try names.map { try library.lesson(named: $0) }
        var failures: [String] = []
        var jobs: [RunJob] = []
        for lesson in lessons {
            let problems = library.problems(of: lesson)
            for problem in problems { failures.append(mark(false) + " " + problem.description + "\n") }
            for sample in lesson.demos + lesson.exercises {
                // A demo without a source cannot be built; that is already a reported problem.
                guard let demo = sample.checkedSlug, FileSystem.exists(workspace.demoSource(demo)) else { continue }
                jobs += library.jobs(for: sample, in: lesson, runtimes: runtimes)
            }
        }
        if names.isEmpty || names == ["all"], !library.unusedDemos.isEmpty {
            let message = "demos no lesson uses: \(library.unusedDemos.joined(separator: ", ")). Every demo belongs to one sample: add a ```swift demo=<slug> block for each, or remove the folder."
            // With the project's own lessons this is an error; with another lesson directory
            // (--lessons) the demos of the project's lessons are expected to be unused.
            if workspace.lessonsDirectory == workspace.root + "/lessons" {
                failures.append(mark(false) + " " + message + "\n")
            } else {
                writeError(style.yellow("warning: ") + message + "\n")
            }
        }
        let buildFailures = build(jobs)
        var results: [RunResult?] = jobs.map { job in
            job.runtime == .swift ? buildFailures[job.demo].map { buildFailure(job, $0) } : nil
        }
        let pending = jobs.indices.filter { results[$0] == nil }
        var done = jobs.count - pending.count
        let total = jobs.count
        let ran = scheduler.run(pending.map { jobs[$0] }) { _, result in
            done += 1
            if interactive {
                writeError("\r\u{1B}[K[\(done)/\(total)] " + mark(result.passed) + " " + result.job.title)
            }
        }
        if interactive { writeError("\r\u{1B}[K") }
        for (offset, index) in pending.enumerated() { results[index] = ran[offset] }
        let finished = results.map { $0! }
        record(finished)
        var out = ""
        for result in finished {
            out += mark(result.passed) + " " + TextWidth.pad(result.job.title, to: 36) + " " + style.dim(formatDuration(result.spawn.seconds)) + "\n"
        }
        for result in finished where !result.passed {
            failures.append(mark(false) + " " + result.job.title + " (" + result.job.lesson + ")\n" + failureReport(result))
        }
        if !failures.isEmpty {
            out += "\n" + style.bold("Failures:") + "\n" + failures.joined(separator: "\n")
        }
        let failed = failures.count
        let passed = finished.filter(\.passed).count
        out += "\(passed) passed, \(failed) failed\n"
        writeOut(out)
        return failed == 0 ? 0 : 1
    }
}
