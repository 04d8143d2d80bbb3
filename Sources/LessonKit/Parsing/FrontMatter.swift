import Yams

/// The YAML front matter of a lesson: `title` and `description` between `---` lines.
struct FrontMatter {
    var title: String
    var description: String
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
        return FrontMatter(title: title, description: description, lineCount: end + 1)
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
