import Foundation

// MARK: - Offline search

/// The site's search index, built at export into `search-index.js` and read by `search.js`
/// in the browser: no server, no network.
///
/// One entry per section of every lesson (its title, heading, prose and sample code), and an
/// index from every two-character sequence of their lower-cased text to the entries holding
/// it. Chinese has no spaces between words, so words cannot be the unit; character pairs
/// find any substring of two or more characters (`进程池`, `imap_unordered`) in Chinese,
/// English and code alike. The browser intersects the pairs of a query, then confirms each
/// candidate by a plain substring match.
struct SearchIndex: Encodable {
    /// A searchable section.
    struct Entry: Encodable, Equatable {
        /// The lesson's title.
        var lesson: String
        /// The section heading (empty for the lesson's top).
        var heading: String
        /// The page and anchor, relative to the site folder.
        var url: String
        /// The prose, whitespace collapsed.
        var text: String
        /// The code of the section's samples and code blocks.
        var code: String
    }

    /// The entries, in lesson order.
    var entries: [Entry]
    /// Character pair → the numbers of the entries whose text contains it.
    var pairs: [String: [Int]]

    /// The index of `lessons`, with anchors as their pages have them.
    init(lessons: [Lesson]) {
        var entries: [Entry] = []
        for lesson in lessons {
            let renderer = LessonPageRenderer(lesson: lesson, runs: { _ in nil }, lessonLinks: [:])
            let headings = renderer.headings()
            let titleIndex = lesson.sections.firstIndex { $0.level == 1 }
            let page = SiteExporter.pagePath(of: lesson)
            for (index, section) in lesson.sections.enumerated() {
                var prose: [String] = []
                var code: [String] = []
                for block in section.blocks { Self.collect(block, prose: &prose, code: &code) }
                let heading = index == titleIndex ? "" : (headings[index]?.title ?? "")
                let anchor = index == titleIndex ? nil : headings[index]?.id
                let text = Self.collapsed(prose.joined(separator: " "))
                if text.isEmpty && code.isEmpty && heading.isEmpty && index != titleIndex { continue }
                entries.append(Entry(lesson: lesson.title, heading: heading, url: page + (anchor.map { "#" + $0 } ?? ""),
                                     text: text, code: code.joined(separator: "\n")))
            }
        }
        self.entries = entries
        var pairs: [String: [Int]] = [:]
        for (number, entry) in entries.enumerated() {
            for pair in Self.pairs(of: [entry.lesson, entry.heading, entry.text, entry.code].joined(separator: "\n")) {
                pairs[pair, default: []].append(number)
            }
        }
        self.pairs = pairs
    }

    /// The distinct two-character sequences of `text`, lower-cased, without whitespace.
    static func pairs(of text: String) -> Set<String> {
        var result: Set<String> = []
        var previous: Character?
        for character in text.lowercased() {
            if character.isWhitespace {
                previous = nil
                continue
            }
            if let previous { result.insert(String([previous, character])) }
            previous = character
        }
        return result
    }

    /// `search-index.js`: the index as a script that sets `window.learnMPSearchIndex`.
    func script() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(self), as: UTF8.self)
        return "/* learn-mp search index, written by learn-mp export: one entry per lesson section. */\nwindow.learnMPSearchIndex = \(json);\n"
    }

    // MARK: - Text of blocks

    private static func collect(_ block: Block, prose: inout [String], code: inout [String]) {
        switch block {
        case .paragraph(let inlines):
            prose.append(inlines.plainText)
        case .list(_, _, let items):
            for item in items { for inner in item { collect(inner, prose: &prose, code: &code) } }
        case .table(let header, let rows):
            prose.append(header.map(\.plainText).joined(separator: " "))
            for row in rows { prose.append(row.map(\.plainText).joined(separator: " ")) }
        case .tip(_, let title, let blocks):
            prose.append(title)
            for inner in blocks { collect(inner, prose: &prose, code: &code) }
        case .quote(let blocks):
            for inner in blocks { collect(inner, prose: &prose, code: &code) }
        case .code(let block):
            code.append(block.code)
        case .sample(let sample):
            for block in [sample.python, sample.javascript, sample.swift].compactMap({ $0 }) { code.append(block.code) }
        case .rule, .html:
            break
        }
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
