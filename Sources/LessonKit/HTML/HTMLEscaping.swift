// MARK: - Escaping

/// Escaping for text placed in HTML and SVG.
public enum HTML {
    /// `text` safe to place between tags: `&`, `<` and `>` escaped.
    public static func escape(_ text: String) -> String {
        replacing(text, quotes: false)
    }

    /// `text` safe to place inside a double-quoted attribute value.
    public static func attribute(_ text: String) -> String {
        replacing(text, quotes: true)
    }

    private static func replacing(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            case "\n" where quotes: out += "&#10;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A fragment identifier made from heading text: lower-case ASCII letters and digits,
    /// other letters (Chinese) kept, everything else a single `-`.
    public static func slug(_ text: String) -> String {
        var out = ""
        var lastWasDash = true
        for scalar in text.lowercased().unicodeScalars {
            let v = scalar.value
            let keep = (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A)
                || (v >= 0x3400 && v <= 0x9FFF) || (v >= 0xF900 && v <= 0xFAFF)
                || (v >= 0xAC00 && v <= 0xD7A3) || (v >= 0x3040 && v <= 0x30FF)
            if keep {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash {
                out += "-"
                lastWasDash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }
}
