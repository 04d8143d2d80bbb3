import Foundation

// MARK: - Site export

/// One generated file of the site.
public struct SitePage: Sendable, Equatable {
    /// The path relative to the site directory (`index.html`, `lessons/02-pool.html`).
    public var path: String
    /// The page's HTML.
    public var html: String
}

/// Builds the static site: `index.html` and one page per lesson under `lessons/`, linking the
/// hand-written `style.css` and `tabs.js` that live in the site directory.
///
/// Pages are self-contained apart from those two files: no CDN, no external fonts, no
/// network. They work from `file://` and without JavaScript.
///
/// ```swift
/// let exporter = SiteExporter(lessons: library.lessons, results: ResultStore(path: workspace.resultsFile))
/// try exporter.export(to: "site", assets: workspace.root + "/site")
/// ```
public struct SiteExporter: Sendable {
    /// The lessons, in order.
    public var lessons: [Lesson]
    /// The demos' last runs (`learn-mp lesson`, `run` and `verify` record them).
    public var results: ResultStore?
    /// The site's name, shown in the header and page titles.
    public var siteName = "learn-mp"

    /// - Parameters:
    ///   - lessons: the lessons, in order (they are sorted by number).
    ///   - results: the demos' last runs; `nil` renders no run results.
    public init(lessons: [Lesson], results: ResultStore?) {
        self.lessons = lessons.sorted { ($0.number, $0.slug) < ($1.number, $1.slug) }
        self.results = results
    }

    /// The page path of a lesson, relative to the site directory.
    public static func pagePath(of lesson: Lesson) -> String { "lessons/\(lesson.name).html" }

    /// Every page of the site, the index first.
    public func pages() -> [SitePage] {
        var records: [String: DemoRunRecord] = [:]
        if let results {
            for lesson in lessons {
                for demo in lesson.demos.compactMap(\.demo) { records[demo] = results.record(demo: demo) }
            }
        }
        var links: [String: String] = [:]
        for lesson in lessons {
            links["\(lesson.name).md"] = "\(lesson.name).html"
        }
        var pages = [SitePage(path: "index.html", html: indexPage(records: records))]
        for (i, lesson) in lessons.enumerated() {
            let renderer = LessonPageRenderer(lesson: lesson, runs: { records[$0] }, lessonLinks: links)
            pages.append(SitePage(path: Self.pagePath(of: lesson), html: lessonPage(renderer, index: i)))
        }
        return pages
    }

    /// Writes every page into `directory` (created when missing), with the hand-written
    /// ``assets`` beside them, and returns the paths written.
    ///
    /// Nothing already there is lost: see ``SiteWriter`` for the rules (temporary file and
    /// rename, never over a file export reads from, only over files export wrote unless
    /// `force`). Every check runs before the first file is written.
    ///
    /// - Parameters:
    ///   - directory: where the site goes.
    ///   - assets: the folder holding the ``assets`` (the repository's `site/`); nil writes the
    ///     pages only.
    ///   - force: replace files in `directory` that export did not write.
    /// - Throws: ``SiteExportError`` or ``FileError``.
    @discardableResult
    public func export(to directory: String, assets: String? = nil, force: Bool = false) throws -> [String] {
        var files = pages().map { SiteWriter.File(path: $0.path, bytes: Array($0.html.utf8)) }
        var sources = lessons.map(\.path)
        if let results { sources.append(results.path) }
        if let assets {
            for name in Self.assets {
                let source = "\(assets)/\(name)"
                files.append(SiteWriter.File(path: name, bytes: try FileSystem.readBytes(source), source: source))
                sources.append(source)
            }
        }
        let lessonFolders = Set(lessons.map { lesson in lesson.path.lastIndex(of: "/").map { String(lesson.path[..<$0]) } ?? "." })
        var trimmed = directory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let writer = SiteWriter(directory: trimmed, files: files, sources: sources,
                                sourceDirectories: lessonFolders.sorted(), force: force)
        return try writer.write()
    }

    /// The lesson's number as shown in lists: `02`, `00` for `00-overview.md`, `·` for none.
    static func displayNumber(_ lesson: Lesson) -> String {
        if lesson.number > 0 { return String(format: "%02d", lesson.number) }
        let file = lesson.path.split(separator: "/").last ?? ""
        return file.hasPrefix("00-") ? "00" : "·"
    }

    /// The mark of a page export wrote.
    static let generatorMeta = "<meta name=\"generator\" content=\"learn-mp export\">"

    /// The site's assets that must sit beside the pages.
    public static let assets = ["style.css", "tabs.js"]

    // MARK: - Pages

    private func lessonPage(_ renderer: LessonPageRenderer, index: Int) -> String {
        let lesson = renderer.lesson
        var body = "<div class=\"layout\">\n"
        body += sidebar(current: index, prefix: "")
        body += renderer.tableOfContents()
        body += "<main id=\"content\">\n"
        body += renderer.article()
        body += pager(index: index)
        body += "</main>\n</div>\n"
        return shell(title: "\(lesson.title) · \(siteName)", description: lesson.description,
                     assetPrefix: "../", homeHref: "../index.html", body: body)
    }

    private func indexPage(records: [String: DemoRunRecord]) -> String {
        var body = "<div class=\"layout layout-index\">\n"
        body += sidebar(current: nil, prefix: "lessons/")
        body += "<main id=\"content\">\n<section class=\"hero\">\n"
        body += "<p class=\"eyebrow\">Python multiprocessing, compared with Node.js, run in Swift</p>\n"
        body += "<h1>Learn multiprocessing by running it</h1>\n"
        body += "<p class=\"lede\">Every sample is shown three ways: the Python original, its Node.js twin, and a Swift program built on real OS processes, pipes and shared memory. Each Swift demo is run and its output checked against the lesson; the process timeline shows who ran when.</p>\n"
        body += "<div class=\"langs\" aria-label=\"Languages\">"
        for (key, label) in LessonPageRenderer.languages {
            body += "<span class=\"lang-chip\" data-lang=\"\(key)\"><span class=\"lang-dot\" aria-hidden=\"true\"></span>\(label)</span>"
        }
        body += "</div>\n</section>\n"
        body += "<h2 class=\"visually-hidden\">Lessons</h2>\n<ol class=\"cards\">\n"
        for lesson in lessons {
            let demos = lesson.demos.compactMap(\.demo)
            let ran = demos.compactMap { records[$0] }
            let passed = ran.filter(\.passed).count
            body += "<li><a class=\"card\" href=\"\(HTML.attribute(Self.pagePath(of: lesson)))\">\n"
            body += "<span class=\"lesson-num\">\(Self.displayNumber(lesson))</span>\n"
            body += "<h2>\(HTML.escape(lesson.title))</h2>\n"
            if !lesson.description.isEmpty { body += "<p>\(HTML.escape(lesson.description))</p>\n" }
            var meta = "\(lesson.samples.count) sample\(lesson.samples.count == 1 ? "" : "s")"
            if !demos.isEmpty {
                meta += ran.isEmpty ? " · not run yet" : " · \(passed)/\(demos.count) demos matched"
            }
            body += "<span class=\"meta\">\(HTML.escape(meta))</span>\n</a></li>\n"
        }
        body += "</ol>\n</main>\n</div>\n"
        return shell(title: "\(siteName) · Python multiprocessing by running it",
                     description: "Lessons on Python's multiprocessing, compared with Node.js, with runnable Swift demos.",
                     assetPrefix: "", homeHref: "index.html", body: body)
    }

    // MARK: - Parts

    private func shell(title: String, description: String, assetPrefix: String, homeHref: String, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"zh-CN\" class=\"no-js\">\n<head>\n"
        out += "<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"color-scheme\" content=\"light dark\">\n"
        out += Self.generatorMeta + "\n"
        if !description.isEmpty { out += "<meta name=\"description\" content=\"\(HTML.attribute(description))\">\n" }
        out += "<title>\(HTML.escape(title))</title>\n"
        out += "<link rel=\"stylesheet\" href=\"\(assetPrefix)style.css\">\n"
        out += "<script src=\"\(assetPrefix)tabs.js\" defer></script>\n"
        out += "</head>\n<body>\n"
        out += "<a class=\"skip-link\" href=\"#content\">Skip to content</a>\n"
        out += "<header class=\"site-header\">\n"
        out += "<a class=\"brand\" href=\"\(homeHref)\"><span class=\"brand-mark\" aria-hidden=\"true\">mp</span>\(HTML.escape(siteName))</a>\n"
        out += "<span class=\"tagline\">Python multiprocessing · Node.js · Swift</span>\n"
        if assetPrefix != "" {
            out += "<a class=\"header-jump\" href=\"#lessons-title\">All lessons</a>\n"
        }
        out += "</header>\n"
        out += body
        out += "<footer class=\"site-footer\">\n<p>Generated by <code>learn-mp export</code>. Samples run with <code>learn-mp lesson</code>; outputs checked with <code>learn-mp verify all</code>.</p>\n</footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    private func sidebar(current: Int?, prefix: String) -> String {
        var out = "<nav class=\"sidebar\" aria-labelledby=\"lessons-title\">\n<h2 id=\"lessons-title\">Lessons</h2>\n<ol>\n"
        for (i, lesson) in lessons.enumerated() {
            let href = prefix + "\(lesson.name).html"
            let currentAttribute = i == current ? " aria-current=\"page\"" : ""
            let number = Self.displayNumber(lesson)
            out += "<li><a href=\"\(HTML.attribute(href))\"\(currentAttribute)><span class=\"lesson-num\">\(number)</span><span>\(HTML.escape(lesson.title))</span></a></li>\n"
        }
        return out + "</ol>\n</nav>\n"
    }

    private func pager(index: Int) -> String {
        var out = "<nav class=\"pager\" aria-label=\"Previous and next lesson\">\n"
        if index > 0 {
            let previous = lessons[index - 1]
            out += "<a class=\"prev\" href=\"\(HTML.attribute(previous.name)).html\" rel=\"prev\"><small>← Previous</small>\(HTML.escape(previous.title))</a>\n"
        }
        if index + 1 < lessons.count {
            let next = lessons[index + 1]
            out += "<a class=\"next\" href=\"\(HTML.attribute(next.name)).html\" rel=\"next\"><small>Next →</small>\(HTML.escape(next.title))</a>\n"
        }
        return out + "</nav>\n"
    }
}
