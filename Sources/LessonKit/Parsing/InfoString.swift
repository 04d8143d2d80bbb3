/// The info string of a fenced block: a language and `key=value` options.
///
/// ```` ```output demo=create-process timeout=10 exit=1 ```` → language `output`, options
/// `demo`, `timeout`, `exit`.
struct InfoString {
    var language: String
    var options: [String: String]
    /// Words without `=` after the language (reported as errors for sample blocks).
    var flags: [String]

    init(_ info: String) {
        let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" })
        language = words.first.map { String($0).lowercased() } ?? ""
        options = [:]
        flags = []
        for word in words.dropFirst() {
            if let equals = word.firstIndex(of: "=") {
                var value = String(word[word.index(after: equals)...])
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
                options[String(word[..<equals])] = value
            } else {
                flags.append(String(word))
            }
        }
    }
}

/// Whether `slug` is a valid demo slug: lower-case letters, digits and dashes.
func isValidSlug(_ slug: String) -> Bool {
    guard let first = slug.unicodeScalars.first, first.properties.isLowercase || ("0"..."9").contains(first) else { return false }
    return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
}

/// The value of a numeric option (`timeout=10`, `min-time=2.8`): a finite number greater than
/// 0, or nil (`0`, `-1`, `inf`, `nan`, `1e999`, `soon`). Every numeric option is checked here.
func positiveNumber(_ text: String) -> Double? {
    guard let value = Double(text), value.isFinite, value > 0 else { return nil }
    return value
}
