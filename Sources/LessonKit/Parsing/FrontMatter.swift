import Yams

/// The YAML front matter of a lesson: `title`, `description` and `lang` between `---` lines.
struct FrontMatter {
    var title: String
    var description: String
    /// `lang`: the language of the lesson's prose as a BCP 47 tag (`zh-CN`, `en`), if given.
    var language: String?
    /// The number of lines the front matter takes (including both `---` lines).
    var lineCount: Int

    /// Reads the front matter at the top of `text`.
    ///
    /// - Throws: ``LessonError/badFrontMatter(file:line:reason:)``.
    static func read(_ text: String, file: String) throws(LessonError) -> FrontMatter {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.trimmingTrailingSpace == "---" else {
            throw .badFrontMatter(file: file, line: 1, reason: "the file does not start with `---`")
        }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingTrailingSpace == "---" }) else {
            throw .badFrontMatter(file: file, line: 1, reason: "the `---` block is never closed")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let node: Any?
        do {
            node = try Yams.load(yaml: yaml)
        } catch {
            throw .badFrontMatter(file: file, line: 2, reason: "not valid YAML (\(error))")
        }
        guard let map = node as? [String: Any] else {
            throw .badFrontMatter(file: file, line: 2, reason: "expected `key: value` lines")
        }
        guard let title = map["title"].map({ "\($0)" }), !title.isEmpty else {
            throw .badFrontMatter(file: file, line: 2, reason: "`title` is missing")
        }
        let description = map["description"].map { "\($0)" } ?? ""
        var language: String?
        if let lang = map["lang"].map({ "\($0)" }) {
            guard !lang.isEmpty, lang.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw .badFrontMatter(file: file, line: 2, reason: "`lang` must be a language tag such as zh-CN or en, not `\(lang)`")
            }
            language = lang
        }
        return FrontMatter(title: title, description: description, language: language, lineCount: end + 1)
    }
}

extension Substring {
    var trimmingTrailingSpace: Substring {
        var end = endIndex
        while end > startIndex, let last = self[..<end].last, last == " " || last == "\t" || last == "\r" {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}

extension String {
    /// The text without trailing spaces, tabs and carriage returns.
    var trimmingTrailingSpace: String { String(self[...].trimmingTrailingSpace) }
}
