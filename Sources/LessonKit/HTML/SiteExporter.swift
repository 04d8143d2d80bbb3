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
/// hand-written ``assets`` (`style.css`, `tabs.js`, `search.js`) that live in the site
/// directory, and the search index (`search-index.js`, see `SearchIndex`).
///
/// Pages are self-contained apart from those files: no CDN, no external fonts, no network.
/// They work from `file://` and without JavaScript (search then hides its box). Interface
/// text is in each lesson's language (``Lesson/language``).
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
    /// API documentation the footer links to: a name and a path relative to the site folder.
    public var apiDocs: [(name: String, path: String)] = []

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
    /// Nothing already there is lost: see `SiteWriter` for the rules (temporary file and
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
        var exporter = self
        exporter.apiDocs = Self.apiDocuments.filter { FileSystem.exists("\(directory)/\($0.path)") }
        var files = exporter.pages().map { SiteWriter.File(path: $0.path, bytes: Array($0.html.utf8)) }
        files.append(SiteWriter.File(path: Self.searchIndexPath, bytes: Array(try SearchIndex(lessons: lessons).script().utf8)))
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
    public static let assets = ["style.css", "tabs.js", "search.js"]

    /// The search index `search.js` loads, written beside the pages.
    public static let searchIndexPath = "search-index.js"

    /// The API documentation `make docs` puts into the site folder; the footer links to what is there.
    public static let apiDocuments = [
        (name: "Multiprocessing", path: "docs/Multiprocessing/documentation/multiprocessing/index.html"),
        (name: "LessonKit", path: "docs/LessonKit/documentation/lessonkit/index.html"),
    ]

    /// The scripts every page loads (the search index is loaded by `search.js` when needed).
    static let scripts = ["tabs.js", "search.js"]

    // MARK: - Pages

    /// The interface text of the index and the search: the first lesson's language.
    var siteText: SiteText { SiteText(language: lessons.first?.language ?? Lesson.defaultLanguage) }

    private func lessonPage(_ renderer: LessonPageRenderer, index: Int) -> String {
        let lesson = renderer.lesson
        let text = renderer.text
        var body = "<div class=\"layout\">\n"
        body += sidebar(current: index, prefix: "", text: text)
        body += renderer.tableOfContents()
        body += "<main id=\"content\">\n"
        body += renderer.article()
        body += pager(index: index, text: text)
        body += "</main>\n</div>\n"
        return shell(title: "\(lesson.title) · \(siteName)", description: lesson.description, text: text,
                     assetPrefix: "../", homeHref: "../index.html", body: body)
    }

    private func indexPage(records: [String: DemoRunRecord]) -> String {
        let text = siteText
        var body = "<div class=\"layout layout-index\">\n"
        body += sidebar(current: nil, prefix: "lessons/", text: text)
        body += "<main id=\"content\">\n<section class=\"hero\">\n"
        body += "<p class=\"eyebrow\">\(text.eyebrow)</p>\n"
        body += "<h1>\(text.headline)</h1>\n"
        body += "<p class=\"lede\">\(text.lede)</p>\n"
        body += "<div class=\"langs\" aria-label=\"\(text.languagesLabel)\">"
        for (key, label) in LessonPageRenderer.languages {
            body += "<span class=\"lang-chip\" data-lang=\"\(key)\"><span class=\"lang-dot\" aria-hidden=\"true\"></span>\(label)</span>"
        }
        body += "</div>\n</section>\n"
        body += "<h2 class=\"visually-hidden\">\(text.lessons)</h2>\n<ol class=\"cards\">\n"
        for lesson in lessons {
            let demos = lesson.demos.compactMap(\.demo)
            let ran = demos.compactMap { records[$0] }
            let passed = ran.filter(\.passed).count
            let cardText = SiteText(language: lesson.language)
            body += "<li><a class=\"card\" href=\"\(HTML.attribute(Self.pagePath(of: lesson)))\" lang=\"\(HTML.attribute(lesson.language))\">\n"
            body += "<span class=\"lesson-num\">\(Self.displayNumber(lesson))</span>\n"
            body += "<h2>\(HTML.escape(lesson.title))</h2>\n"
            if !lesson.description.isEmpty { body += "<p>\(HTML.escape(lesson.description))</p>\n" }
            var meta = cardText.samples(lesson.samples.count)
            if !demos.isEmpty {
                meta += " · " + (ran.isEmpty ? cardText.notRunYet : cardText.demosMatched(passed, of: demos.count))
            }
            body += "<span class=\"meta\">\(HTML.escape(meta))</span>\n</a></li>\n"
        }
        body += "</ol>\n</main>\n</div>\n"
        return shell(title: "\(siteName) · \(text.indexTitle)", description: text.indexDescription, text: text,
                     assetPrefix: "", homeHref: "index.html", body: body)
    }

    // MARK: - Parts

    private func shell(title: String, description: String, text: SiteText, assetPrefix: String, homeHref: String, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"\(HTML.attribute(text.language))\" class=\"no-js\" data-root=\"\(assetPrefix)\">\n<head>\n"
        out += "<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"color-scheme\" content=\"light dark\">\n"
        out += Self.generatorMeta + "\n"
        if !description.isEmpty { out += "<meta name=\"description\" content=\"\(HTML.attribute(description))\">\n" }
        out += "<title>\(HTML.escape(title))</title>\n"
        out += "<link rel=\"stylesheet\" href=\"\(assetPrefix)style.css\">\n"
        for script in Self.scripts {
            out += "<script src=\"\(assetPrefix)\(script)\" defer></script>\n"
        }
        out += "</head>\n<body>\n"
        out += "<a class=\"skip-link\" href=\"#content\">\(text.skipToContent)</a>\n"
        out += "<header class=\"site-header\">\n"
        out += "<a class=\"brand\" href=\"\(homeHref)\"><span class=\"brand-mark\" aria-hidden=\"true\">mp</span>\(HTML.escape(siteName))</a>\n"
        out += "<span class=\"tagline\">\(text.tagline)</span>\n"
        out += searchBox(text: text)
        if assetPrefix != "" {
            out += "<a class=\"header-jump\" href=\"#lessons-title\">\(text.allLessons)</a>\n"
        }
        out += "</header>\n"
        out += body
        out += "<footer class=\"site-footer\">\n<p>\(text.footer)</p>\n"
        if !apiDocs.isEmpty {
            out += "<p>\(text.apiDocs)："
            out += apiDocs.map { "<a href=\"\(assetPrefix)\(HTML.attribute($0.path))\">\(HTML.escape($0.name))</a>" }.joined(separator: " · ")
            out += "</p>\n"
        }
        out += "</footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// The search box: a combobox that `search.js` fills from `search-index.js`; hidden
    /// without JavaScript.
    private func searchBox(text: SiteText) -> String {
        var out = "<form class=\"search\" role=\"search\" action=\"#\" aria-label=\"\(text.search)\">\n"
        out += "<input type=\"search\" id=\"search-input\" class=\"search-input\" role=\"combobox\" autocomplete=\"off\" spellcheck=\"false\" "
        out += "aria-autocomplete=\"list\" aria-expanded=\"false\" aria-controls=\"search-results\" aria-describedby=\"search-help\" "
        out += "placeholder=\"\(HTML.attribute(text.searchPlaceholder))\" aria-label=\"\(text.search)\">\n"
        out += "<span id=\"search-help\" class=\"visually-hidden\">\(text.searchHelp)</span>\n"
        out += "<ul id=\"search-results\" class=\"search-results\" role=\"listbox\" aria-label=\"\(text.search)\" hidden></ul>\n"
        return out + "</form>\n"
    }

    private func sidebar(current: Int?, prefix: String, text: SiteText) -> String {
        var out = "<nav class=\"sidebar\" aria-labelledby=\"lessons-title\">\n<h2 id=\"lessons-title\">\(text.lessons)</h2>\n<ol>\n"
        for (i, lesson) in lessons.enumerated() {
            let href = prefix + "\(lesson.name).html"
            let currentAttribute = i == current ? " aria-current=\"page\"" : ""
            let number = Self.displayNumber(lesson)
            out += "<li><a href=\"\(HTML.attribute(href))\"\(currentAttribute)><span class=\"lesson-num\">\(number)</span><span>\(HTML.escape(lesson.title))</span></a></li>\n"
        }
        return out + "</ol>\n</nav>\n"
    }

    private func pager(index: Int, text: SiteText) -> String {
        var out = "<nav class=\"pager\" aria-label=\"\(text.pagerLabel)\">\n"
        if index > 0 {
            let previous = lessons[index - 1]
            out += "<a class=\"prev\" href=\"\(HTML.attribute(previous.name)).html\" rel=\"prev\"><small>\(text.previous)</small>\(HTML.escape(previous.title))</a>\n"
        }
        if index + 1 < lessons.count {
            let next = lessons[index + 1]
            out += "<a class=\"next\" href=\"\(HTML.attribute(next.name)).html\" rel=\"next\"><small>\(text.next)</small>\(HTML.escape(next.title))</a>\n"
        }
        return out + "</nav>\n"
    }
}
