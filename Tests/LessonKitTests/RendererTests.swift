import Testing
@testable import LessonKit

@Suite struct RendererTests {
    let plain = TerminalRenderer(width: 40, style: Style(enabled: false))

    @Test func tableIsBoxDrawnWithCJKWidths() {
        let text = plain.render(.table(header: [[.text("Python")], [.text("说明")]],
                                       rows: [[[.code("Pool")], [.text("进程池")]]]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "┌────────┬────────┐")
        #expect(lines.contains("│ Python │ 说明   │"))
        #expect(lines.contains("│ `Pool` │ 进程池 │"))
        #expect(Set(lines.map { TextWidth.width(of: $0) }).count == 1, "every row has the same display width")
    }

    @Test func tipIsABoxAndWraps() {
        let text = plain.render(.tip(kind: "tip", title: "何时使用", blocks: [.paragraph([.text(String(repeating: "进程", count: 30))])]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("╭─ TIP: 何时使用 ") == true)
        #expect(lines.last?.hasPrefix("╰") == true)
        #expect(lines.count > 3, "the long paragraph wraps inside the box")
        #expect(Set(lines.map { TextWidth.width(of: $0) }).count == 1)
    }

    @Test func colourOnlyWhenEnabled() {
        let code = CodeBlock(language: "python", options: [:], code: "def f():\n    return 1\n", line: 1)
        #expect(!plain.codeBlock(code, label: "Python").contains("\u{1B}["))
        let coloured = TerminalRenderer(width: 40, style: Style(enabled: true)).codeBlock(code, label: "Python")
        #expect(coloured.contains("\u{1B}[35mdef\u{1B}[0m"))
    }

    @Test func softBreaksBetweenChineseLinesAddNoSpace() {
        #expect(plain.inline([.text("第一行。"), .lineBreak(soft: true), .text("第二行")]) == "第一行。第二行")
        #expect(plain.inline([.text("one"), .lineBreak(soft: true), .text("two")]) == "one two")
    }
}
