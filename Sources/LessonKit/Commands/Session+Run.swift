extension Session {
    // MARK: - run

    /// `learn-mp run <demo>`: builds, runs and checks one demo, printing its output and its
    /// timeline; with several runtimes, their timelines on one scale.
    public func run(_ name: String, runtimes: [Runtime] = [.swift]) throws -> Int32 {
        let library = try library()
        let (lesson, sample) = try library.sample(demo: name)
        let problems = library.problems(of: lesson).filter { $0.line >= sample.line && $0.line <= (sample.output?.line ?? sample.line) }
        if !problems.isEmpty {
            writeError(problems.map { style.red("error: ") + $0.description }.joined(separator: "\n") + "\n")
            return 1
        }
        let renderer = TerminalRenderer(width: width, style: style)
        var results: [RunResult] = []
        let comparing = runtimes.count > 1
        for job in library.jobs(for: sample, in: lesson, runtimes: runtimes) {
            results.append(runInPlace(job, renderer: renderer, drawTimeline: !comparing))
        }
        if comparing { writeOut(timelines(comparing: results)) }
        record(results)
        return results.allSatisfy(\.passed) ? 0 : 1
    }
}
