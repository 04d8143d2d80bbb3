import Testing
@testable import LessonKit

/// Every line the terminal view writes fits the width, and no escape sequence is cut.
@Suite struct TerminalWidthTests {
    /// The problems of one rendered line: too wide, or an escape sequence that is not a whole
    /// `ESC [ digits/; m` (a cut one leaves `ESC [` at the end or `33m` without its start).
    static func problems(_ line: Substring, width: Int) -> [String] {
        var problems: [String] = []
        if TextWidth.width(of: String(line)) > width { problems.append("\(TextWidth.width(of: String(line))) columns") }
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\u{1B}" {
                var end = index + 1
                guard end < scalars.count, scalars[end] == "[" else { problems.append("a lone ESC"); break }
                end += 1
                while end < scalars.count, "0123456789;".unicodeScalars.contains(scalars[end]) { end += 1 }
                guard end < scalars.count, scalars[end] == "m" else { problems.append("a cut escape sequence"); break }
                index = end
            }
            index += 1
        }
        return problems
    }

    @Test func everyLessonFitsEveryWidthFrom40To160() throws {
        let library = try LessonLibrary(workspace: Workspace(root: packageRoot, lessons: nil, buildPath: nil))
        #expect(library.lessons.count >= 9)
        var checked = 0
        var failures: [String] = []
        // With colour at every width (escape sequences are the hard part), without at every
        // fifth (backticks and asterisks take columns instead).
        for width in 40...160 {
            for colour in width % 5 == 0 ? [true, false] : [true] {
                let renderer = TerminalRenderer(width: width, style: Style(enabled: colour))
                for lesson in library.lessons {
                    var text = renderer.header(lesson)
                    for section in lesson.sections {
                        text += renderer.heading(section) + section.blocks.map { renderer.render($0) }.joined()
                    }
                    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                        let problems = Self.problems(line, width: width)
                        if !problems.isEmpty {
                            failures.append("\(lesson.name) at \(width) columns, colour \(colour), line \(number + 1): \(problems) in \(String(reflecting: String(line)))")
                        }
                        checked += 1
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) lines: \(failures.prefix(20).joined(separator: "\n"))")
        #expect(checked > 50_000)
    }

    @Test func theCheckFindsACutSequenceAndAnOverlongLine() {
        #expect(Self.problems("Pipe/\u{1B}[", width: 80) == ["a cut escape sequence"])
        #expect(Self.problems("33mConnection\u{1B}[0m", width: 80).isEmpty, "the start is on the line before: only a whole-line check sees it")
        #expect(Self.problems(Substring(String(repeating: "进", count: 41)), width: 80) == ["82 columns"])
    }

    @Test func wrappingNeverCutsAnEscapeSequenceAndCarriesTheStyle() {
        let yellow = Style(enabled: true).yellow("Pipe/Connection")
        for columns in 2...16 {
            let lines = TextWidth.wrap("通信 " + yellow, columns: columns)
            for line in lines {
                #expect(Self.problems(Substring(line), width: columns).isEmpty, "\(columns): \(lines)")
                // Each line opens and closes its own style.
                if line.contains("Pipe") || line.contains("Conn") || line.contains("tion") {
                    #expect(line.hasPrefix("\u{1B}[33m") && line.hasSuffix("\u{1B}[0m"), "\(columns): \(lines)")
                }
            }
            let visible = lines.joined().replacingEscapes()
            #expect(visible == "通信Pipe/Connection", "\(columns): nothing is lost")
        }
    }

    @Test func wordsAndInlineCodeStayWholeWhenTheyFit() {
        let text = "使用 `ProcessPoolExecutor` 提交任务，再用 `as_completed` 按完成顺序取结果"
        for columns in 24...60 {
            let lines = TextWidth.wrap(text, columns: columns)
            #expect(lines.contains { $0.contains("`ProcessPoolExecutor`") }, "\(columns): \(lines)")
            #expect(lines.contains { $0.contains("`as_completed`") }, "\(columns): \(lines)")
            #expect(lines.allSatisfy { TextWidth.width(of: $0) <= columns })
        }
        // Wider than the column: split, and nothing lost.
        #expect(TextWidth.wrap("`ProcessPoolExecutor`", columns: 10) == ["`ProcessPo", "olExecutor", "`"])
    }

    @Test func wrappedBulletsLineUpInsideTheWidth() {
        let item: [Block] = [.paragraph([.strong([.text("数据如何过界")]), .text("。Python 用 pickle，Node.js 的 IPC 用 JSON（"),
                                         .code("worker_threads"), .text(" 用结构化克隆），Swift 用 "), .code("Codable"), .text("：能跨进程的值都要编码。")])]
        for width in [60, 80, 100] {
            let text = TerminalRenderer(width: width, style: Style(enabled: false)).render(.list(ordered: false, start: 1, items: [item, item]))
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.allSatisfy { TextWidth.width(of: $0) <= width }, "\(width): \(lines)")
            #expect(lines.filter { $0.hasPrefix("• ") }.count == 2)
            #expect(lines.allSatisfy { $0.hasPrefix("• ") || $0.hasPrefix("  ") })
        }
    }

    @Test func longCodeLinesContinueAfterAMarkerAndKeepEveryCharacter() {
        let code = "        let bar = String(repeating: \"█\", count: filled) + String(repeating: \" \", count: 10 - filled)"
        let block = CodeBlock(language: "swift", options: [:], code: code + "\n", line: 1)
        let text = TerminalRenderer(width: 50, style: Style(enabled: true)).codeBlock(block, label: "Swift")
        let lines = text.split(separator: "\n").dropFirst().map(String.init)
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { Self.problems(Substring($0), width: 50).isEmpty })
        let visible = lines.map { $0.replacingEscapes().dropFirst(2) }.map { $0.hasPrefix("↪ ") ? String($0.dropFirst(2)) : String($0) }
        #expect(visible.joined() == code)
    }
}

extension String {
    /// The text without its ANSI escape sequences.
    func replacingEscapes() -> String {
        TextWidth.units(self).filter { !$0.text.hasPrefix("\u{1B}") }.map(\.text).joined()
    }
}
