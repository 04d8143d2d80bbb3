// MARK: - How to run a sample, and what its run printed

extension LessonPageRenderer {
    /// Output longer than this many lines is shown collapsed, its first line count in the summary.
    static let collapsedLines = 12

    /// The line under a sample's code that says how to run it in its language: save the Python
    /// or Node.js code and run it with `python3` or `node`, or let `learn-mp run` do it; the
    /// Swift demo's source path and its `learn-mp run` command.
    func howToRun(_ sample: Sample, language: String, number: Int) -> String {
        let name = sample.demo ?? "\(lesson.slug)-\(number)"
        let demo = sample.demo.map(HTML.escape)
        let line: String
        switch language {
        case "python":
            let file = HTML.escape(name) + ".py"
            line = text.saveAndRun(file: file, command: "python3 \(file)", learnMP: demo.map { "learn-mp run \($0) --python" })
        case "javascript":
            let file = HTML.escape(name) + ".js"
            line = text.saveAndRun(file: file, command: "node \(file)", learnMP: demo.map { "learn-mp run \($0) --node" })
        default:
            guard let demo else { return "" }
            line = "<code>Sources/Demos/\(demo)/main.swift</code> · \(text.runIt)<code>learn-mp run \(demo)</code>"
        }
        return "<p class=\"source-path run-how\">\(line)</p>\n"
    }

    /// A run's standard output and, beside it when there was any, its standard error, each
    /// collapsed when long. Standard error is shown as a terminal leaves it: a line redrawn
    /// with carriage returns (a progress bar) shows its last state.
    func streams(of run: DemoRunRecord) -> String {
        let output = Self.asTerminalShows(run.output)
        guard let errors = run.errorOutput, !errors.isEmpty else {
            return Self.collapsible(output.text, label: nil, summary: text.longOutput)
        }
        let shown = Self.asTerminalShows(errors)
        var out = "<div class=\"streams\">\n<div class=\"stream stream-out\">\n"
        out += Self.collapsible(output.text, label: text.standardOutput + (output.redraws > 0 ? text.redrawn(output.redraws) : ""),
                                summary: text.longOutput)
        out += "</div>\n<div class=\"stream stream-err\">\n"
        out += Self.collapsible(shown.text, label: text.standardError + (shown.redraws > 0 ? text.redrawn(shown.redraws) : ""),
                                summary: text.longOutput)
        return out + "</div>\n</div>\n"
    }

    /// `<pre>` of `output` under an optional label; past ``collapsedLines`` lines, inside a
    /// closed `<details>` whose summary gives the label and the line count.
    static func collapsible(_ output: String, label: String?, summary: (Int) -> String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).count - (output.hasSuffix("\n") ? 1 : 0)
        let pre = "<pre class=\"output\">\(HTML.escape(output))</pre>\n"
        if lines > collapsedLines {
            let title = (label.map { "<span class=\"stream-label\">\($0)</span> " } ?? "") + summary(lines)
            return "<details class=\"output-long\">\n<summary>\(title)</summary>\n\(pre)</details>\n"
        }
        return (label.map { "<p class=\"stream-label\">\($0)</p>\n" } ?? "") + pre
    }

    /// `text` as a terminal shows it: after a carriage return the line is written over from its
    /// start. Returns the text and how many times a line was redrawn.
    static func asTerminalShows(_ text: String) -> (text: String, redraws: Int) {
        var lines: [[Unicode.Scalar]] = []
        var line: [Unicode.Scalar] = []
        var column = 0
        var redraws = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                lines.append(line)
                line = []
                column = 0
            case "\r":
                column = 0
            default:
                if column == 0 && !line.isEmpty { redraws += 1 }
                if column < line.count { line[column] = scalar } else { line.append(scalar) }
                column += 1
            }
        }
        if !line.isEmpty { lines.append(line) }
        var out = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
        if text.hasSuffix("\n") || (!line.isEmpty && text.unicodeScalars.last == "\r") { out += "\n" }
        return (out, redraws)
    }
}
