// MARK: - Lesson pages

/// Renders one ``Lesson`` as the body of a site page: header, table of contents, the text
/// (headings with anchors, paragraphs, lists, tables, tips), and every sample as tabs
/// Python | Node.js | Swift with its expected output and, when there is one, the last checked
/// run's output and process timeline.
///
/// Everything comes from the lesson model; no Markdown is re-read. Text is always escaped, and
/// raw HTML in a lesson is omitted (as cmark-gfm's safe mode does), so a lesson cannot inject
/// markup into the site.
struct LessonPageRenderer {
    /// The lesson to render.
    var lesson: Lesson
    /// The last run of a demo, by slug.
    var runs: (String) -> DemoRunRecord?
    /// Link targets for other lessons' files: `02-pool.md` → `02-pool.html`.
    var lessonLinks: [String: String]

    /// The interface text, in the lesson's language.
    var text: SiteText { SiteText(language: lesson.language) }

    /// A heading of the page: level, text, anchor id.
    struct Heading {
        var level: Int
        var title: String
        var id: String
    }

    // MARK: - Headings

    /// Every section heading with a unique anchor id, in document order (nil for the
    /// untitled section before the first heading).
    func headings() -> [Heading?] {
        var used: Set<String> = ["content", "top", "toc", "lessons"]
        return lesson.sections.map { section in
            guard section.level > 0, !section.title.isEmpty else { return nil }
            var id = HTML.slug(section.title)
            if used.contains(id) {
                var n = 2
                while used.contains("\(id)-\(n)") { n += 1 }
                id = "\(id)-\(n)"
            }
            used.insert(id)
            return Heading(level: section.level, title: section.title, id: id)
        }
    }

    // MARK: - Page parts

    /// The table of contents: the level-2 and level-3 headings.
    func tableOfContents() -> String {
        let entries = headings().compactMap { $0 }.filter { $0.level == 2 || $0.level == 3 }
        guard !entries.isEmpty else { return "" }
        var out = "<nav class=\"toc\" aria-labelledby=\"toc-title\">\n<h2 id=\"toc-title\">\(text.onThisPage)</h2>\n<ol>\n"
        for entry in entries {
            let cls = entry.level == 3 ? " class=\"toc-sub\"" : ""
            out += "<li\(cls)><a href=\"#\(HTML.attribute(entry.id))\">\(HTML.escape(entry.title))</a></li>\n"
        }
        return out + "</ol>\n</nav>\n"
    }

    /// The lesson's article: header and every section.
    func article() -> String {
        let heads = headings()
        // The first level-1 heading is the page title; the front matter's title otherwise.
        let titleIndex = lesson.sections.firstIndex { $0.level == 1 }
        let pageTitle = titleIndex.map { lesson.sections[$0].title } ?? lesson.title
        var out = "<article class=\"lesson\">\n<header class=\"lesson-header\">\n"
        if lesson.number > 0 {
            out += "<p class=\"eyebrow\">\(text.lessonNumber(lesson.number))</p>\n"
        }
        out += "<h1>\(HTML.escape(pageTitle))</h1>\n"
        if !lesson.description.isEmpty {
            out += "<p class=\"lede\">\(HTML.escape(lesson.description))</p>\n"
        }
        out += "</header>\n"
        var sampleCounter = 0
        for (index, section) in lesson.sections.enumerated() {
            if let heading = heads[index], index != titleIndex {
                let level = min(max(heading.level, 2), 6)
                out += "<h\(level) id=\"\(HTML.attribute(heading.id))\">\(HTML.escape(heading.title))"
                out += "<a class=\"heading-anchor\" href=\"#\(HTML.attribute(heading.id))\" aria-label=\"\(text.linkToSection)\">#</a></h\(level)>\n"
            }
            for block in section.blocks {
                out += render(block, sampleCounter: &sampleCounter)
            }
        }
        return out + "</article>\n"
    }

    // MARK: - Blocks

    func render(_ block: Block, sampleCounter: inout Int) -> String {
        switch block {
        case .paragraph(let inlines):
            return "<p>\(render(inlines))</p>\n"
        case .list(let ordered, let start, let items):
            let tag = ordered ? "ol" : "ul"
            let startAttribute = ordered && start != 1 ? " start=\"\(start)\"" : ""
            var out = "<\(tag)\(startAttribute)>\n"
            for item in items {
                // A tight item that is one paragraph renders without <p>.
                if item.count == 1, case .paragraph(let inlines) = item[0] {
                    out += "<li>\(render(inlines))</li>\n"
                } else {
                    out += "<li>" + item.map { render($0, sampleCounter: &sampleCounter) }.joined() + "</li>\n"
                }
            }
            return out + "</\(tag)>\n"
        case .table(let header, let rows):
            var out = "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"\(text.table)\">\n<table>\n<thead>\n<tr>"
            for cell in header { out += "<th scope=\"col\">\(render(cell))</th>" }
            out += "</tr>\n</thead>\n<tbody>\n"
            for row in rows {
                out += "<tr>"
                // Each cell names its column, for the stacked layout on phones.
                let labels = header.map { HTML.attribute($0.plainText) }
                for (i, cell) in row.enumerated() where i < max(header.count, 1) {
                    out += "<td data-label=\"\(i < labels.count ? labels[i] : "")\">\(render(cell))</td>"
                }
                for i in row.count..<max(row.count, header.count) {
                    out += "<td data-label=\"\(labels[i])\"></td>"
                }
                out += "</tr>\n"
            }
            return out + "</tbody>\n</table>\n</div>\n"
        case .tip(let kind, let title, let blocks):
            let known = ["tip", "note", "info", "important", "warning", "caution"]
            let cls = known.contains(kind) ? kind : "note"
            let heading = title.isEmpty ? text.tipTitle(cls) : title
            var out = "<aside class=\"callout callout-\(cls)\" aria-label=\"\(HTML.attribute(heading))\">\n"
            out += "<p class=\"callout-title\">\(HTML.escape(heading))</p>\n"
            for inner in blocks { out += render(inner, sampleCounter: &sampleCounter) }
            return out + "</aside>\n"
        case .quote(let blocks):
            return "<blockquote>\n" + blocks.map { render($0, sampleCounter: &sampleCounter) }.joined() + "</blockquote>\n"
        case .code(let code):
            let language = code.language.isEmpty ? "text" : code.language
            return "<pre class=\"code-block\"><code class=\"language-\(HTML.attribute(language))\">\(CodeHTML.highlight(code.code, language: language))</code></pre>\n"
        case .sample(let sample):
            sampleCounter += 1
            return renderSample(sample, number: sampleCounter)
        case .rule:
            return "<hr>\n"
        case .html:
            return "<!-- raw HTML omitted -->\n"
        }
    }

    // MARK: - Inlines

    func render(_ inlines: [Inline]) -> String {
        var out = ""
        for (i, inline) in inlines.enumerated() {
            switch inline {
            case .text(let text):
                out += HTML.escape(text)
            case .code(let text):
                out += "<code>\(HTML.escape(text))</code>"
            case .emphasis(let children):
                out += "<em>\(render(children))</em>"
            case .strong(let children):
                out += "<strong>\(render(children))</strong>"
            case .strikethrough(let children):
                out += "<del>\(render(children))</del>"
            case .link(let children, let url):
                if let href = safeHref(url) {
                    let external = href.hasPrefix("http://") || href.hasPrefix("https://")
                    let rel = external ? " rel=\"noopener\"" : ""
                    out += "<a href=\"\(HTML.attribute(href))\"\(rel)>\(render(children))</a>"
                } else {
                    out += render(children)
                }
            case .lineBreak(let soft):
                if !soft {
                    out += "<br>\n"
                } else {
                    // Between two CJK characters a line break is no space at all.
                    let before = i > 0 ? lastCharacter(inlines[i - 1]) : nil
                    let after = i + 1 < inlines.count ? firstCharacter(inlines[i + 1]) : nil
                    out += (before.map(Self.isWide) ?? false) && (after.map(Self.isWide) ?? false) ? "" : "\n"
                }
            }
        }
        return out
    }

    /// The link target to emit, or nil to drop the link (script and unknown schemes).
    /// Links to other lessons' `.md` files point at their pages.
    func safeHref(_ url: String) -> String? {
        let lower = url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") { return url }
        if lower.contains(":") && !lower.hasPrefix("#") {
            let scheme = lower.prefix { $0 != ":" }
            if !scheme.contains("/") && !scheme.contains("#") { return nil }
        }
        if url.hasPrefix("#") { return url }
        let parts = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let file = String(parts[0]).split(separator: "/").last.map(String.init) ?? ""
        if let page = lessonLinks[file] {
            return page + (parts.count > 1 ? "#" + parts[1] : "")
        }
        return url
    }

    private func lastCharacter(_ inline: Inline) -> Character? {
        switch inline {
        case .text(let t), .code(let t): t.last
        case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(let c, _): c.last.flatMap(lastCharacter)
        case .lineBreak: nil
        }
    }

    private func firstCharacter(_ inline: Inline) -> Character? {
        switch inline {
        case .text(let t), .code(let t): t.first
        case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(let c, _): c.first.flatMap(firstCharacter)
        case .lineBreak: nil
        }
    }

    static func isWide(_ ch: Character) -> Bool {
        ch.unicodeScalars.first.map { TextWidth.width(of: $0) == 2 } ?? false
    }

    // MARK: - Samples

    /// The three languages of a sample, in tab order.
    static let languages: [(key: String, label: String)] = [
        ("python", "Python"), ("javascript", "Node.js"), ("swift", "Swift"),
    ]

    func renderSample(_ sample: Sample, number: Int) -> String {
        let base = "sample-" + HTML.slug(sample.demo ?? "\(lesson.slug)-\(number)")
        var out = "<section class=\"sample\" id=\"\(base)\" aria-label=\"\(HTML.attribute(text.sample(number, sample.sectionTitle)))\">\n"
        out += "<div class=\"tablist\" role=\"tablist\" id=\"\(base)-tabs\" aria-label=\"\(text.sampleTabs(number))\">\n"
        for (i, language) in Self.languages.enumerated() {
            let selected = i == 0
            out += "<button type=\"button\" class=\"tab\" role=\"tab\" id=\"\(base)-tab-\(language.key)\" "
            out += "data-lang=\"\(language.key)\" aria-controls=\"\(base)-\(language.key)\" "
            out += "aria-selected=\"\(selected)\" tabindex=\"\(selected ? 0 : -1)\">"
            out += "<span class=\"lang-dot\" aria-hidden=\"true\"></span>\(language.label)</button>\n"
        }
        out += "</div>\n"
        for language in Self.languages {
            let block: CodeBlock? = switch language.key {
            case "python": sample.python
            case "javascript": sample.javascript
            default: sample.swift
            }
            out += "<div class=\"tabpanel\" role=\"tabpanel\" id=\"\(base)-\(language.key)\" data-lang=\"\(language.key)\" "
            out += "aria-labelledby=\"\(base)-tab-\(language.key)\" tabindex=\"0\">\n"
            out += "<p class=\"panel-head\"><span class=\"lang-dot\" aria-hidden=\"true\"></span>\(language.label)"
            if language.key == "python" { out += "<span class=\"panel-note\">\(text.theOriginal)</span>" }
            out += "</p>\n"
            if let block {
                out += "<pre><code class=\"language-\(language.key)\">\(CodeHTML.highlight(block.code, language: language.key))</code></pre>\n"
                out += howToRun(sample, language: language.key, number: number)
            } else {
                out += "<p class=\"panel-missing\">\(text.missing(language.label))</p>\n"
            }
            out += "</div>\n"
        }
        out += renderResults(sample, base: base)
        return out + "</section>\n"
    }

    func renderResults(_ sample: Sample, base: String) -> String {
        var parts: [String] = []
        if !sample.files.isEmpty {
            var files = "<div class=\"result\">\n<h4>\(text.inputFiles)</h4>\n"
            for file in sample.files {
                files += "<p class=\"source-path\"><code>\(HTML.escape(file.name))</code></p>\n<pre>\(HTML.escape(file.contents))</pre>\n"
            }
            parts.append(files + "</div>\n")
        }
        if let expected = sample.output {
            var out = "<div class=\"result result-expected\">\n<h4>\(text.expectedOutput)"
            if expected.exitCode != 0 { out += " <span class=\"badge badge-muted\">\(text.exit(expected.exitCode))</span>" }
            out += "</h4>\n<pre class=\"output\">\(Self.markPatterns(expected.text))</pre>\n"
            if let facts = sample.blocks.last(where: { $0.language == "facts" }) {
                out += "<h4>\(text.behaviourFacts)</h4>\n<pre class=\"output facts\">\(HTML.escape(facts.code))</pre>\n"
            }
            out += "</div>\n"
            parts.append(out)
        }
        if let demo = sample.demo {
            if let run = runs(demo) {
                let status = run.passed ? "pass" : "fail"
                var out = "<div class=\"result result-\(status)\">\n<h4>\(text.lastRun) "
                out += run.passed ? "<span class=\"badge badge-pass\">\(text.matched)</span>" : "<span class=\"badge badge-fail\">\(text.didNotMatch)</span>"
                var facts: [String] = []
                if let code = run.exitCode { facts.append(text.exit(code)) }
                if let seconds = run.seconds { facts.append(Timeline.formatDuration(UInt64(max(0, seconds) * 1e9))) }
                if let date = run.date { facts.append(date + " UTC") }
                if !facts.isEmpty { out += " <span class=\"badge badge-muted\">\(HTML.escape(facts.joined(separator: " · ")))</span>" }
                out += "</h4>\n" + streams(of: run) + "</div>\n"
                out += run.timelineFigure(idPrefix: base, text: text)
                parts.append(out)
            } else {
                parts.append("<p class=\"result-none\">\(text.notRun("learn-mp verify \(HTML.escape(lesson.slug))"))</p>\n")
            }
        }
        guard !parts.isEmpty else { return "" }
        return "<div class=\"sample-results\">\n" + parts.joined() + "</div>\n"
    }

    /// Expected output with the pattern language's placeholders (`[..]`, `[INT]`, `[PID:main]`,
    /// `[unordered]`, `...` lines) set apart.
    static func markPatterns(_ text: String) -> String {
        var out = ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { out += "\n" }
            if line.trimmingTrailingSpaces == "..." || line.trimmingTrailingSpaces == "---" {
                out += "<span class=\"placeholder\">\(line)</span>"
                continue
            }
            var rest = Substring(line)
            while let open = rest.firstIndex(of: "[") {
                out += HTML.escape(String(rest[..<open]))
                let tail = rest[open...]
                if let close = tail.firstIndex(of: "]"), tail.distance(from: open, to: close) <= 24 {
                    let inner = tail[tail.index(after: open)..<close]
                    let isPattern = inner == ".." || (!inner.isEmpty && inner.allSatisfy {
                        $0.isASCII && ($0.isLetter || $0.isNumber || ":/_-+. ".contains($0))
                    } && (inner.first == "/" || inner.first!.isUppercase || ["unordered", "interleaved", "repeat"].contains(String(inner))
                          || inner.hasPrefix("unordered:")))
                    if isPattern {
                        out += "<span class=\"placeholder\">\(HTML.escape(String(tail[open...close])))</span>"
                        rest = tail[tail.index(after: close)...]
                        continue
                    }
                }
                out += "["
                rest = tail.dropFirst()
            }
            out += HTML.escape(String(rest))
        }
        return out
    }
}

extension Substring {
    fileprivate var trimmingTrailingSpaces: Substring {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
