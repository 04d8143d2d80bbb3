extension Session {
    // MARK: - hint

    /// `learn-mp hint <exercise>`: shows the hints seen so far and the next one (all of them
    /// with `all`), and remembers how far the learner has got.
    public func hint(_ name: String, all: Bool = false) throws -> Int32 {
        let library = try library()
        let (lesson, sample) = try library.sample(demo: name)
        guard let exercise = sample.exercise else {
            writeError(style.red("error: ") + "\(sample.checkedSlug ?? name) is a demo, not an exercise; hints belong to exercises (learn-mp list shows them)\n")
            return 2
        }
        guard !sample.hints.isEmpty else {
            writeOut("\(exercise) (\(lesson.name)) has no hints.\n")
            return 0
        }
        var progress = Progress.load(home.progressFile)
        let seen = progress.hintsShown[exercise] ?? 0
        let shown = all ? sample.hints.count : min(sample.hints.count, seen + 1)
        let renderer = TerminalRenderer(width: min(width, 100), style: style)
        for (index, hint) in sample.hints.prefix(shown).enumerated() {
            writeOut(renderer.labelRule("hint \(index + 1) of \(sample.hints.count)" + (index >= seen ? " (new)" : ""), width: renderer.width) + "\n")
            writeOut(renderer.wrap(hint.trimmingTrailingNewlines, indent: "  ") + "\n\n")
        }
        progress.hintsShown[exercise] = max(seen, shown)
        try progress.save(home.progressFile)
        let left = sample.hints.count - shown
        writeOut(style.dim(left == 0 ? "that was the last hint" : "\(left) more: run learn-mp hint \(exercise) again") + "\n")
        return 0
    }
}
