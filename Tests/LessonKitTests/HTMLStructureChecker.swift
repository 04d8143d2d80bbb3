// A small, strict checker for the pages the site exporter writes: every element closed in
// order (XHTML-style nesting; HTML void elements and `/>` allowed), attributes double-quoted,
// no bare `<` or unknown `&` entity in text, ids unique. It also collects what the link checks
// need: ids, links, and each element's attributes.

struct HTMLElement {
    var name: String
    var attributes: [String: String]
    /// The names of the open elements around this one, outermost first.
    var ancestors: [String]
    /// Index of the element in document order.
    var index: Int
}

struct HTMLDocument {
    var elements: [HTMLElement] = []
    var problems: [String] = []
    /// Element indices of every element's open ancestors (parallel to `elements`).
    var parentIndex: [Int?] = []

    var ids: [String] {
        elements.compactMap { $0.attributes["id"] }
    }

    func elements(named name: String) -> [HTMLElement] { elements.filter { $0.name == name } }

    /// For each element, the index one past its last descendant.
    var subtreeEnd: [Int] = []

    /// The elements inside element `index` (all descendants).
    func descendants(of index: Int) -> [HTMLElement] {
        Array(elements[(index + 1)..<subtreeEnd[index]])
    }
}

enum HTMLStructureChecker {
    static let voidElements: Set<String> = ["meta", "link", "br", "hr", "img", "input", "source", "wbr", "col", "area", "base"]
    static let entities: Set<String> = ["amp", "lt", "gt", "quot", "#39", "#10", "nbsp"]

    static func parse(_ html: String) -> HTMLDocument {
        var doc = HTMLDocument()
        var stack: [(name: String, index: Int)] = []
        let chars = Array(html.unicodeScalars)
        var i = 0
        var line = 1
        func problem(_ text: String) { doc.problems.append("line \(line): \(text)") }
        func checkText(_ from: Int, _ to: Int) {
            var k = from
            while k < to {
                if chars[k] == "\n" { line += 1 }
                if chars[k] == "&" {
                    var name = ""
                    var m = k + 1
                    while m < to, chars[m] != ";", name.count < 10 { name.unicodeScalars.append(chars[m]); m += 1 }
                    if m >= to || chars[m] != ";" || !entities.contains(name) { problem("bare or unknown entity &\(name)") }
                }
                if chars[k] == ">" { problem("bare > in text") }
                k += 1
            }
        }
        var textStart = 0
        while i < chars.count {
            guard chars[i] == "<" else { i += 1; continue }
            checkText(textStart, i)
            guard i + 1 < chars.count else { problem("bare < at the end"); textStart = chars.count; break }
            // Comment
            if chars.count > i + 3, chars[i + 1] == "!", chars[i + 2] == "-", chars[i + 3] == "-" {
                var k = i + 4
                while k + 2 < chars.count, !(chars[k] == "-" && chars[k + 1] == "-" && chars[k + 2] == ">") { k += 1 }
                guard k + 2 < chars.count else { problem("unclosed comment"); return doc }
                i = k + 3
                textStart = i
                continue
            }
            // Doctype
            if chars[i + 1] == "!" {
                while i < chars.count, chars[i] != ">" { i += 1 }
                i += 1
                textStart = i
                continue
            }
            let closing = chars[i + 1] == "/"
            var k = i + (closing ? 2 : 1)
            var name = ""
            while k < chars.count, chars[k].properties.isAlphabetic || ("0"..."9").contains(chars[k]) || chars[k] == "-" {
                name.unicodeScalars.append(chars[k]); k += 1
            }
            if name.isEmpty { problem("bare < in text"); i += 1; continue }
            // Attributes
            var attributes: [String: String] = [:]
            var selfClosing = false
            while k < chars.count {
                while k < chars.count, chars[k] == " " || chars[k] == "\n" { if chars[k] == "\n" { line += 1 }; k += 1 }
                guard k < chars.count else { break }
                if chars[k] == ">" { k += 1; break }
                if chars[k] == "/", k + 1 < chars.count, chars[k + 1] == ">" { selfClosing = true; k += 2; break }
                var attr = ""
                while k < chars.count, chars[k] != "=", chars[k] != " ", chars[k] != ">", chars[k] != "/" {
                    attr.unicodeScalars.append(chars[k]); k += 1
                }
                if attr.isEmpty { problem("malformed tag <\(name)>"); k += 1; continue }
                if k < chars.count, chars[k] == "=" {
                    k += 1
                    guard k < chars.count, chars[k] == "\"" else { problem("unquoted attribute \(attr) in <\(name)>"); continue }
                    k += 1
                    var value = ""
                    while k < chars.count, chars[k] != "\"" {
                        if chars[k] == "<" { problem("< in attribute \(attr)") }
                        value.unicodeScalars.append(chars[k]); k += 1
                    }
                    k += 1
                    if attributes[attr] != nil { problem("duplicate attribute \(attr) in <\(name)>") }
                    attributes[attr] = unescape(value)
                } else {
                    attributes[attr] = ""
                }
            }
            if closing {
                if let top = stack.last, top.name == name {
                    stack.removeLast()
                    doc.subtreeEnd[top.index] = doc.elements.count
                } else {
                    problem("</\(name)> closes <\(stack.last?.name ?? "nothing")>")
                    if let at = stack.lastIndex(where: { $0.name == name }) { stack.removeSubrange(at...) }
                }
            } else {
                let index = doc.elements.count
                doc.elements.append(HTMLElement(name: name, attributes: attributes, ancestors: stack.map(\.name), index: index))
                doc.parentIndex.append(stack.last?.index)
                doc.subtreeEnd.append(index + 1)
                if !selfClosing && !voidElements.contains(name) { stack.append((name, index)) }
            }
            i = k
            textStart = i
        }
        checkText(textStart, chars.count)
        for open in stack {
            doc.problems.append("<\(open.name)> never closed")
            doc.subtreeEnd[open.index] = doc.elements.count
        }
        var seen: Set<String> = []
        for id in doc.ids where !seen.insert(id).inserted { doc.problems.append("duplicate id \(id)") }
        return doc
    }

    static func unescape(_ text: String) -> String {
        text.replacingAll("&quot;", "\"").replacingAll("&#39;", "'").replacingAll("&lt;", "<")
            .replacingAll("&gt;", ">").replacingAll("&#10;", "\n").replacingAll("&amp;", "&")
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
