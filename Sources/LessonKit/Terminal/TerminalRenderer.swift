/// Renders lesson content for a terminal: headings, wrapped paragraphs, lists, box-drawn
/// tables, tips as boxes and highlighted code.
public struct TerminalRenderer: Sendable {
    /// The width to wrap to.
    public var width: Int
    /// Colours, or none.
    public var style: Style

    /// Creates a renderer.
    public init(width: Int, style: Style) {
        self.width = max(10, width)
        self.style = style
    }

    // MARK: - Lesson parts

    /// The lesson's title block.
    public func header(_ lesson: Lesson) -> String {
        let title = lesson.displayTitle
        var out = wrap(style.bold(title), indent: "") + "\n"
        out += String(repeating: "═", count: min(width, max(4, TextWidth.width(of: title)))) + "\n"
        if !lesson.description.isEmpty { out += wrap(style.dim(lesson.description), indent: "") + "\n" }
        return out + "\n"
    }

    /// A section heading.
    public func heading(_ section: Section) -> String {
        switch section.level {
        case 0: return ""
        case 1: return wrap(style.bold(section.title), indent: "") + "\n\n"
        case 2: return wrap(style.bold(style.cyan("■ " + section.title)), indent: "") + "\n\n"
        default: return wrap(style.bold("▸ " + section.title), indent: "") + "\n\n"
        }
    }

    /// A block (samples render their code blocks; running is up to the caller).
    public func render(_ block: Block, indent: String = "") -> String {
        switch block {
        case .paragraph(let inlines):
            return wrap(inline(inlines), indent: indent) + "\n\n"
        case .list(let ordered, let start, let items):
            // Items are rendered in the width left after the indent and the marker, so wrapped
            // lines line up under the first and stay inside the width.
            let markers = items.indices.map { ordered ? "\(start + $0). " : "• " }
            let markerWidth = markers.map { TextWidth.width(of: $0) }.max() ?? 2
            let inner = narrower(by: TextWidth.width(of: indent) + markerWidth)
            var out = ""
            for (item, marker) in zip(items, markers) {
                let body = item.map { inner.render($0, indent: "") }.joined().trimmingTrailingNewlines
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
                for (number, line) in lines.enumerated() {
                    out += indent + TextWidth.pad(number == 0 ? marker : "", to: markerWidth) + line + "\n"
                }
            }
            return out + "\n"
        case .table(let header, let rows):
            return table(header: header, rows: rows, indent: indent) + "\n"
        case .tip(let kind, let title, let blocks):
            return tip(kind: kind, title: title, blocks: blocks, indent: indent) + "\n"
        case .quote(let blocks):
            let body = blocks.map { narrower(by: TextWidth.width(of: indent) + 2).render($0) }.joined().trimmingTrailingNewlines
            return body.split(separator: "\n", omittingEmptySubsequences: false).map { indent + style.dim("│ ") + $0 }.joined(separator: "\n") + "\n\n"
        case .code(let code):
            return codeBlock(code, label: code.language, indent: indent)
        case .sample(let sample):
            // Hints stay hidden: `learn-mp hint` shows them one at a time.
            var out = sample.blocks.filter { $0.language != "hint" }.map { sampleBlock($0) }.joined()
            if let exercise = sample.exercise {
                let hints = sample.hints.count == 1 ? "1 hint" : "\(sample.hints.count) hints"
                out += wrap(style.dim("Write the missing part in your copy and check it: ") + style.cyan("learn-mp play \(exercise) --watch")
                            + style.dim(". \(hints), one at a time: ") + style.cyan("learn-mp hint \(exercise)"), indent: indent) + "\n\n"
            }
            return out
        case .rule:
            return indent + style.dim(String(repeating: "─", count: min(width, 40))) + "\n\n"
        case .html(let text):
            return wrap(style.dim(text.trimmingTrailingNewlines), indent: indent) + "\n\n"
        }
    }

    /// One block of a sample, labelled (`Python`, `Node.js`, `Swift · demo-x`, `expected output`).
    public func sampleBlock(_ block: CodeBlock) -> String {
        switch block.language {
        case "python", "py": codeBlock(block, label: "Python")
        case "javascript", "js": codeBlock(block, label: "Node.js")
        case "swift": codeBlock(block, label: block.options["demo"].map { "Swift · demo-\($0)" }
            ?? block.options["exercise"].map { "Swift · exercise \($0), starting program" } ?? "Swift")
        case "output": codeBlock(block, label: "expected output")
        case "facts": codeBlock(block, label: "behaviour facts")
        case "file": codeBlock(block, label: "file \(block.options["name"] ?? "")")
        default: codeBlock(block, label: block.language)
        }
    }

    /// A code block under a label rule. A line wider than the width continues on the next
    /// line after a dim `↪`.
    public func codeBlock(_ block: CodeBlock, label: String, indent: String = "") -> String {
        var out = indent + labelRule(label, width: width - TextWidth.width(of: indent)) + "\n"
        let code = Highlighter.highlight(block.code.trimmingTrailingNewlines, language: block.language, style: style)
        out += codeLines(code, indent: indent + "  ")
        return out + "\n"
    }

    /// Program output shown under a label, e.g. `── Swift output (0.12 s) ──`.
    public func output(_ text: String, label: String) -> String {
        labelRule(label, width: width) + "\n" + codeLines(text.trimmingTrailingNewlines, indent: "  ")
    }

    /// `── label ─────`, at most 60 columns and never wider than `width` (a long label is
    /// shortened with `…`).
    func labelRule(_ label: String, width: Int) -> String {
        let room = max(1, width - 6)
        var label = label
        if TextWidth.width(of: label) > room {
            label = TextWidth.units(label).reduce(into: "") { text, unit in
                if TextWidth.width(of: text) + unit.width < room { text += unit.text }
            } + "…"
        }
        let title = "── \(label) "
        return style.dim(title + String(repeating: "─", count: max(2, min(width, 60) - TextWidth.width(of: title))))
    }

    /// Each line of `text` after `indent`; a line too wide continues after `↪ `.
    func codeLines(_ text: String, indent: String) -> String {
        let columns = width - TextWidth.width(of: indent)
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard !line.isEmpty else { out += "\n"; continue }
            let first = TextWidth.hardWrap(String(line), columns: columns)
            out += indent + first[0] + "\n"
            let rest = first.dropFirst().joined()
            guard !rest.isEmpty else { continue }
            for piece in TextWidth.hardWrap(rest, columns: columns - 2) {
                out += indent + style.dim("↪ ") + piece + "\n"
            }
        }
        return out
    }

    /// The same renderer for a column `columns` narrower.
    func narrower(by columns: Int) -> TerminalRenderer {
        TerminalRenderer(width: width - columns, style: style)
    }

    // MARK: - Pieces

    /// Inline content as styled text.
    public func inline(_ inlines: [Inline]) -> String {
        resolveSoftBreaks(inlinePieces(inlines))
    }

    /// A soft line break is a space between words, but nothing next to a CJK character
    /// (Chinese text has no spaces between words).
    func resolveSoftBreaks(_ text: String) -> String {
        guard text.contains("\u{1F}") else { return text }
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            guard character == "\u{1F}" else { out.append(character); continue }
            let before = characters[..<index].last { !$0.isWhitespace && $0 != "\u{1B}" }
            let after = characters[(index + 1)...].first { $0 != "\u{1F}" }
            let wide = [before, after].contains { $0.map { TextWidth.isWide($0.unicodeScalars.first!.value) } ?? false }
            if !wide { out.append(" ") }
        }
        return out
    }

    func inlinePieces(_ inlines: [Inline]) -> String {
        inlines.map { piece -> String in
            switch piece {
            case .text(let text): text
            case .code(let code): style.enabled ? style.yellow(code) : "`\(code)`"
            case .emphasis(let children): style.italic(inlinePieces(children))
            case .strong(let children): style.enabled ? style.bold(inlinePieces(children)) : "**\(inlinePieces(children))**"
            case .strikethrough(let children): style.dim(inlinePieces(children))
            case .link(let children, let url): style.underline(inlinePieces(children)) + " (\(url))"
            case .lineBreak(let soft): soft ? "\u{1F}" : "\n"
            }
        }.joined()
    }

    func wrap(_ text: String, indent: String) -> String {
        TextWidth.wrap(text, columns: width - TextWidth.width(of: indent)).map { indent + $0 }.joined(separator: "\n")
    }

    func table(header: [[Inline]], rows: [[[Inline]]], indent: String) -> String {
        let all = ([header] + rows).filter { !$0.isEmpty }
        let columns = all.map(\.count).max() ?? 0
        guard columns > 0 else { return "" }
        let cells = all.map { row in (0..<columns).map { $0 < row.count ? inline(row[$0]) : "" } }
        var widths = (0..<columns).map { column in cells.map { TextWidth.width(of: $0[column]) }.max() ?? 0 }
        // Too wide for the terminal: take room from columns whose words are shorter than the
        // column (so words stay whole, and no column drops below 10).
        let available = width - TextWidth.width(of: indent) - (3 * columns + 1)
        let wordFloor = (0..<columns).map { column in
            let longestWord = cells.map { TextWidth.pieces($0[column]).map { TextWidth.width(of: $0) }.max() ?? 0 }.max() ?? 0
            return max(longestWord, min(widths[column], 10))
        }
        while widths.reduce(0, +) > available,
              let roomiest = widths.indices.filter({ widths[$0] > wordFloor[$0] })
                .max(by: { widths[$0] - wordFloor[$0] < widths[$1] - wordFloor[$1] }) {
            widths[roomiest] -= 1
        }
        // Still too wide, so words would be split: one record per row reads better.
        if widths.reduce(0, +) > available {
            return records(cells, hasHeader: !header.isEmpty, indent: indent)
        }
        func rule(_ left: String, _ middle: String, _ right: String) -> String {
            indent + style.dim(left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right) + "\n"
        }
        func row(_ values: [String], bold: Bool) -> String {
            let wrapped = values.enumerated().map { TextWidth.wrap($1, columns: widths[$0]) }
            let height = wrapped.map(\.count).max() ?? 1
            var out = ""
            for line in 0..<height {
                out += indent + style.dim("│")
                for column in 0..<columns {
                    let text = line < wrapped[column].count ? wrapped[column][line] : ""
                    out += " " + TextWidth.pad(bold ? style.bold(text) : text, to: widths[column]) + " " + style.dim("│")
                }
                out += "\n"
            }
            return out
        }
        var out = rule("┌", "┬", "┐")
        for (index, values) in cells.enumerated() {
            let isHeader = index == 0 && !header.isEmpty
            out += row(values, bold: isHeader)
            if isHeader && cells.count > 1 { out += rule("├", "┼", "┤") }
        }
        return out + rule("└", "┴", "┘")
    }

    /// A table too wide for the terminal even with narrow columns: one record per row, each
    /// cell on its own line after its column's heading.
    func records(_ cells: [[String]], hasHeader: Bool, indent: String) -> String {
        let headings = hasHeader ? cells[0] : cells[0].indices.map { "\($0 + 1)" }
        var out = ""
        for values in cells.dropFirst(hasHeader ? 1 : 0) {
            out += indent + style.dim("┌─") + "\n"
            for (heading, value) in zip(headings, values) {
                out += wrap(style.bold(heading) + ": " + value, indent: indent + style.dim("│ ")) + "\n"
            }
        }
        return out
    }

    func tip(kind: String, title: String, blocks: [Block], indent: String) -> String {
        let boxWidth = min(width - TextWidth.width(of: indent), 78)
        let inner = boxWidth - 4
        // A title too long for the top border becomes the box's first line.
        let fullLabel = kind.uppercased() + (title.isEmpty ? "" : ": " + title)
        let titleInBorder = TextWidth.width(of: fullLabel) <= boxWidth - 6
        let label = titleInBorder ? fullLabel : kind.uppercased()
        let style = self.style
        let color: (String) -> String
        switch kind {
        case "warning", "caution": color = { style.yellow($0) }
        case "tip": color = { style.green($0) }
        default: color = { style.blue($0) }
        }
        let top = "╭─ " + label + " " + String(repeating: "─", count: max(1, boxWidth - 5 - TextWidth.width(of: label))) + "╮"
        var out = indent + color(top) + "\n"
        let renderer = TerminalRenderer(width: inner, style: style)
        let body = ((titleInBorder ? [] : [Block.paragraph([.strong([.text(title)])])]) + blocks)
            .map { renderer.render($0) }.joined().trimmingTrailingNewlines
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            out += indent + color("│") + " " + TextWidth.pad(String(line), to: inner) + " " + color("│") + "\n"
        }
        return out + indent + color("╰" + String(repeating: "─", count: boxWidth - 2) + "╯") + "\n"
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
