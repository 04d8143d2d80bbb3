/// Display widths in a terminal: East Asian wide and full-width characters take two columns,
/// combining marks none.
public enum TextWidth {
    /// The columns `scalar` takes.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 { return 0 }
        if value < 0x20 || (value >= 0x7f && value < 0xa0) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if value == 0x200B { return 0 }
        return isWide(value) ? 2 : 1
    }

    /// The columns `text` takes (ANSI escape sequences take none).
    public static func width(of text: String) -> Int {
        var total = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if (0x40...0x7e).contains(scalar.value) && scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; continue }
            total += width(of: scalar)
        }
        return total
    }

    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE,
             0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE,
             0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705,
             0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF,
             0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Pads `text` with spaces to `columns` display columns.
    public static func pad(_ text: String, to columns: Int) -> String {
        text + String(repeating: " ", count: max(0, columns - width(of: text)))
    }

    // MARK: - Wrapping

    /// Breaks `text` into lines of at most `columns` display columns: at spaces, and between
    /// any two CJK characters (which need no space). A word is split only when it is wider
    /// than a whole line.
    ///
    /// `text` may contain ANSI styles: an escape sequence is never cut, takes no columns, and a
    /// style still open at the end of a line is closed there and opened again on the next.
    public static func wrap(_ text: String, columns: Int) -> [String] {
        let columns = max(2, columns)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for piece in pieces(String(paragraph)) {
                let pieceWidth = width(of: piece)
                if piece == " " {
                    if lineWidth > 0 && lineWidth < columns { line += " "; lineWidth += 1 }
                    continue
                }
                if lineWidth + pieceWidth > columns && lineWidth > 0 {
                    lines.append(trimTrailingSpace(line))
                    line = ""
                    lineWidth = 0
                }
                if pieceWidth > columns {
                    for unit in units(piece) {
                        if lineWidth + unit.width > columns { lines.append(line); line = ""; lineWidth = 0 }
                        line += unit.text
                        lineWidth += unit.width
                    }
                } else {
                    line += piece
                    lineWidth += pieceWidth
                }
            }
            lines.append(trimTrailingSpace(line))
        }
        return carryingStyles(lines)
    }

    /// Breaks one line of code into lines of at most `columns` columns, keeping every
    /// character (indentation included): at the last space that leaves more than the line's
    /// indentation on the line, else anywhere. Escape sequences are never cut; styles are
    /// carried over as in ``wrap(_:columns:)``.
    public static func hardWrap(_ line: String, columns: Int) -> [String] {
        let columns = max(2, columns)
        if width(of: line) <= columns { return [line] }
        var lines: [String] = []
        var current: [(text: String, width: Int)] = []
        var currentWidth = 0
        for unit in units(line) {
            if currentWidth + unit.width > columns, !current.isEmpty {
                let indentation = current.prefix { $0.text == " " || $0.width == 0 }.count
                if let space = current.lastIndex(where: { $0.text == " " }), space > indentation {
                    lines.append(current[...space].map(\.text).joined())
                    current = Array(current[(space + 1)...])
                } else {
                    lines.append(current.map(\.text).joined())
                    current = []
                }
                currentWidth = current.reduce(0) { $0 + $1.width }
            }
            current.append(unit)
            currentWidth += unit.width
        }
        lines.append(current.map(\.text).joined())
        return carryingStyles(lines)
    }

    /// `text` as display units: each escape sequence whole (no columns), each character with
    /// its width.
    static func units(_ text: String) -> [(text: String, width: Int)] {
        var result: [(text: String, width: Int)] = []
        var escape = ""
        for character in text {
            let scalar = character.unicodeScalars.first!
            if !escape.isEmpty {
                escape.append(character)
                if (0x40...0x7e).contains(scalar.value) && scalar != "[" { result.append((escape, 0)); escape = "" }
                continue
            }
            if scalar == "\u{1B}" { escape = String(character); continue }
            result.append((String(character), width(of: String(character))))
        }
        if !escape.isEmpty { result.append((escape, 0)) }
        return result
    }

    /// Closes the styles still open at the end of each line (`ESC[0m`) and opens them again at
    /// the start of the next, so every line stands alone (in a table cell, a box, a pager).
    static func carryingStyles(_ lines: [String]) -> [String] {
        guard lines.count > 1, lines.contains(where: { $0.contains("\u{1B}") }) else { return lines }
        var open: [String] = []
        return lines.map { line in
            var out = open.joined() + line
            for unit in units(line) where unit.width == 0 && unit.text.hasPrefix("\u{1B}[") && unit.text.hasSuffix("m") {
                if unit.text == "\u{1B}[0m" || unit.text == "\u{1B}[m" { open = [] } else { open.append(unit.text) }
            }
            if !open.isEmpty { out += "\u{1B}[0m" }
            return out
        }
    }

    private static func trimTrailingSpace(_ line: String) -> String {
        var line = line
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    /// Splits text into unbreakable pieces: runs of non-CJK non-space characters (with any
    /// escape sequences inside), single spaces, and single wide characters (with CJK
    /// punctuation that must not start a line kept after them).
    static func pieces(_ text: String) -> [String] {
        var result: [String] = []
        var word = ""
        var pendingEscape = ""
        var inEscape = false
        for character in text {
            let scalar = character.unicodeScalars.first!
            if inEscape {
                pendingEscape.append(character)
                if (0x40...0x7e).contains(scalar.value) && scalar != "[" { inEscape = false; word += pendingEscape; pendingEscape = "" }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; pendingEscape = String(character); continue }
            if character == " " {
                if !word.isEmpty { result.append(word); word = "" }
                result.append(" ")
            } else if isWide(scalar.value) {
                if noBreakBefore(scalar), !word.isEmpty || !result.isEmpty {
                    // Punctuation ends the piece before it (a line may break after it).
                    if !word.isEmpty {
                        result.append(word + String(character))
                        word = ""
                    } else {
                        result[result.count - 1].append(character)
                    }
                    continue
                }
                if !word.isEmpty { result.append(word); word = "" }
                word = String(character)
                result.append(word)
                word = ""
            } else {
                if noBreakBefore(scalar), word.isEmpty, let last = result.last, last != " " {
                    result[result.count - 1].append(character)
                    continue
                }
                word.append(character)
            }
        }
        word += pendingEscape
        if !word.isEmpty { result.append(word) }
        return result
    }

    /// CJK closing punctuation that should not start a line.
    static func noBreakBefore(_ scalar: Unicode.Scalar) -> Bool {
        "，。、；：？！）」』】》〉”’…".unicodeScalars.contains(scalar) || ",.;:!?)".unicodeScalars.contains(scalar)
    }
}
