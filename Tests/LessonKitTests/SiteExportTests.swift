import Foundation
import Testing
@testable import LessonKit

/// Renders every page of the site (the real lessons and a fixture set) and checks its
/// structure: well-formed nesting, every internal link and anchor resolving, every sample with
/// three tabs wired to three panels, no raw HTML from a lesson.
@Suite("Site export")
struct SiteExportTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/site").path

    // MARK: - Helpers

    static func lessons(in directory: String) -> [Lesson] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted()
        return names.compactMap { name in
            let path = "\(directory)/\(name)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return LessonParser.parse(text, path: path).lesson
        }
    }

    /// Results with a passing run and a trace for `demo`, and a failing run without a trace
    /// for `failing`.
    static func results(demo: String, failing: String? = nil) -> ResultStore {
        var store = ResultStore(path: "/nonexistent/results.json")
        let trace = """
        {"event":"start","pid":201,"ppid":200,"name":"Process-1","t":1000000}
        {"event":"start","pid":202,"ppid":200,"name":"Process-2","t":2000000}
        {"event":"task-start","pid":202,"job":0,"task":0,"t":3000000}
        {"event":"task-end","pid":202,"job":0,"task":0,"failed":false,"t":9000000}
        {"event":"exit","pid":201,"code":0,"t":12000000}
        {"event":"exit","pid":202,"code":0,"t":15000000}
        """
        store.entries[demo] = ResultStore.Entry(passed: true, seconds: 0.02, date: 1_767_225_600, problem: nil, trace: trace,
                                                output: "Main process PID: 200\nAll <done> & ok\n", exitCode: 0)
        if let failing {
            store.entries[failing] = ResultStore.Entry(passed: false, seconds: 0.01, date: 1_767_225_600, problem: "differs",
                                                       trace: nil, output: "Exit code: 1\n", exitCode: 1)
        }
        return store
    }

    /// Every structural problem of a set of pages.
    static func problems(in pages: [SitePage], assetsDirectory: String) -> [String] {
        var problems: [String] = []
        var documents: [String: HTMLDocument] = [:]
        var idSets: [String: Set<String>] = [:]
        for page in pages {
            let doc = HTMLStructureChecker.parse(page.html)
            documents[page.path] = doc
            idSets[page.path] = Set(doc.ids)
            problems += doc.problems.map { "\(page.path): \($0)" }
        }
        for page in pages {
            guard let doc = documents[page.path] else { continue }
            let ids = idSets[page.path] ?? []
            // Links and assets.
            for element in doc.elements {
                for attribute in ["href", "src"] {
                    guard let target = element.attributes[attribute] else { continue }
                    if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") { continue }
                    if target.contains(":") { problems.append("\(page.path): unsafe link \(target)"); continue }
                    let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                    let file = String(parts[0])
                    let fragment = parts.count > 1 ? String(parts[1]) : nil
                    let resolved = file.isEmpty ? page.path : resolve(file, from: page.path)
                    if let targetIDs = idSets[resolved] {
                        if let fragment, !targetIDs.contains(fragment) {
                            problems.append("\(page.path): anchor #\(fragment) not found in \(resolved)")
                        }
                    } else if SiteExporter.assets.contains(resolved) {
                        if !FileManager.default.fileExists(atPath: "\(assetsDirectory)/\(resolved)") {
                            problems.append("\(page.path): asset \(resolved) missing")
                        }
                    } else {
                        problems.append("\(page.path): link to missing page \(target)")
                    }
                }
                for attribute in ["aria-controls", "aria-labelledby", "aria-describedby"] {
                    for id in (element.attributes[attribute] ?? "").split(separator: " ") where !ids.contains(String(id)) {
                        problems.append("\(page.path): \(attribute) names missing id \(id)")
                    }
                }
            }
            // Samples: three tabs, three panels, each tab controlling a panel of its sample.
            for sample in doc.elements where sample.name == "section" && (sample.attributes["class"] ?? "").split(separator: " ").contains("sample") {
                let inner = doc.descendants(of: sample.index)
                let tabs = inner.filter { $0.attributes["role"] == "tab" }
                let panels = inner.filter { $0.attributes["role"] == "tabpanel" }
                let lists = inner.filter { $0.attributes["role"] == "tablist" }
                let label = "\(page.path) \(sample.attributes["id"] ?? "?")"
                if lists.count != 1 { problems.append("\(label): \(lists.count) tab lists") }
                if tabs.count != 3 { problems.append("\(label): \(tabs.count) tabs") }
                if panels.count != 3 { problems.append("\(label): \(panels.count) panels") }
                if tabs.map({ $0.attributes["data-lang"] ?? "" }) != ["python", "javascript", "swift"] {
                    problems.append("\(label): tabs are not Python | Node.js | Swift")
                }
                let panelIDs = Set(panels.compactMap { $0.attributes["id"] })
                for tab in tabs where !panelIDs.contains(tab.attributes["aria-controls"] ?? "") {
                    problems.append("\(label): tab \(tab.attributes["id"] ?? "?") controls no panel of its sample")
                }
                if tabs.filter({ $0.attributes["aria-selected"] == "true" }).count != 1 {
                    problems.append("\(label): not exactly one selected tab")
                }
                if panels.contains(where: { $0.attributes["hidden"] != nil }) {
                    problems.append("\(label): a panel is hidden without JavaScript")
                }
            }
            // Only the site's own script.
            for script in doc.elements(named: "script") where !SiteExporter.scripts.contains(where: { (script.attributes["src"] ?? "").hasSuffix($0) }) {
                problems.append("\(page.path): unexpected script")
            }
        }
        return problems
    }

    /// `file` relative to the directory of `page`, with `..` resolved.
    static func resolve(_ file: String, from page: String) -> String {
        var parts = page.split(separator: "/").dropLast().map(String.init)
        for part in file.split(separator: "/") {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else if part != "." { parts.append(String(part)) }
        }
        return parts.joined(separator: "/")
    }

    // MARK: - Tests

    @Test func realLessonsRenderWellFormedPages() throws {
        // LEARN_MP_LESSONS checks another lessons folder (work in progress) the same way.
        let directory = ProcessInfo.processInfo.environment["LEARN_MP_LESSONS"] ?? "\(Self.packageRoot)/lessons"
        let lessons = Self.lessons(in: directory)
        let results = ResultStore(path: "\(Self.packageRoot)/.build/learn-mp/results.json")
        let pages = SiteExporter(lessons: lessons, results: results).pages()
        #expect(pages.count == lessons.count + 1)
        let problems = Self.problems(in: pages, assetsDirectory: "\(Self.packageRoot)/site")
        #expect(problems.isEmpty, "\(problems.prefix(30).joined(separator: "\n"))")
        for lesson in lessons {
            let page = try #require(pages.first { $0.path == SiteExporter.pagePath(of: lesson) })
            let tabs = page.html.components(separatedBy: "role=\"tab\"").count - 1
            #expect(tabs == 3 * lesson.samples.count, "\(lesson.name): \(tabs) tabs for \(lesson.samples.count) samples")
        }
    }

    @Test func fixtureSiteIsWellFormedAndLinked() throws {
        let lessons = Self.lessons(in: Self.fixtures)
        #expect(lessons.count == 2)
        let pages = SiteExporter(lessons: lessons, results: Self.results(demo: "fixture-create", failing: "fixture-attributes")).pages()
        #expect(pages.map(\.path) == ["index.html", "lessons/01-basics.html", "lessons/02-pool.html"])
        let problems = Self.problems(in: pages, assetsDirectory: "\(Self.packageRoot)/site")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")

        let basics = pages[1].html
        // Three samples' worth of tabs on the first page, one on the second.
        #expect(basics.components(separatedBy: "role=\"tab\"").count - 1 == 6)
        // The last run, escaped, with its timeline; the failing one marked.
        #expect(basics.contains("All &lt;done&gt; &amp; ok"))
        #expect(basics.contains("<svg class=\"timeline-svg\""))
        #expect(basics.contains("<title id=\"sample-fixture-create-tl-title\">"))
        #expect(basics.contains("badge-fail"))
        // Lesson links point at pages; table and tip are styled.
        #expect(basics.contains("href=\"02-pool.html#基础用法\""))
        #expect(basics.contains("<div class=\"table-wrap\""))
        #expect(basics.contains("class=\"callout callout-tip\""))
        #expect(basics.contains("<p class=\"callout-title\">何时使用</p>"))
        #expect(basics.contains("aria-current=\"page\""))
    }

    @Test func rawHTMLAndScriptLinksAreNotPassedThrough() {
        let lessons = Self.lessons(in: Self.fixtures)
        let page = SiteExporter(lessons: lessons, results: nil).pages()[1].html
        #expect(!page.contains("<script>"))
        #expect(!page.contains("<div class=\"evil\">"))
        #expect(!page.contains("<b>"))
        #expect(!page.contains("javascript:"))
        #expect(page.contains("bad link"))
    }

    @Test func exportWritesIndexAndLessonPages() throws {
        let directory = NSTemporaryDirectory() + "learn-mp-export-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try SiteExporter(lessons: Self.lessons(in: Self.fixtures), results: nil)
            .export(to: directory, assets: "\(Self.packageRoot)/site")
        #expect(written.count == 3 + 1 + SiteExporter.assets.count, "pages, search index, assets")
        #expect(FileManager.default.fileExists(atPath: "\(directory)/\(SiteExporter.searchIndexPath)"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/search.js"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/style.css"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/tabs.js"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/index.html"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/lessons/02-pool.html"))
    }

    @Test func exportCommandWritesTheSiteWithStoredRuns() throws {
        let scratch = NSTemporaryDirectory() + "learn-mp-export-command-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let workspace = try Workspace(root: Self.packageRoot, lessons: Self.fixtures, buildPath: scratch + "/build")
        var store = Self.results(demo: "fixture-pool")
        store.path = workspace.resultsFile
        try store.save()
        let session = Session(workspace: workspace, style: Style(enabled: false), width: 80, interactive: false)
        #expect(try session.export(to: scratch + "/site") == 0)
        let page = try String(contentsOfFile: scratch + "/site/lessons/02-pool.html", encoding: .utf8)
        #expect(page.contains("进程时间线"))
        #expect(page.contains("badge-pass"))
        #expect(FileManager.default.fileExists(atPath: scratch + "/site/tabs.js"))
    }

    @Test func storedResultsBecomeRecords() throws {
        let store = Self.results(demo: "traced", failing: "plain")
        let record = try #require(store.record(demo: "traced"))
        #expect(record.passed && record.exitCode == 0)
        #expect(record.date == "2026-01-01 00:00")
        #expect(record.timeline.rows.map(\.name) == ["MainProcess", "Process-1", "Process-2"])
        #expect(store.record(demo: "plain")?.timeline.isEmpty == true)
        #expect(store.record(demo: "never-ran") == nil)
    }

    // MARK: - The checker itself can fail

    @Test(arguments: [
        "<div><p>text</div></p>",
        "<main><section></main>",
        "<p>a < b</p>",
        "<p>fish & chips</p>",
        "<p class=plain>x</p>",
        "<p id=\"a\"></p><p id=\"a\"></p>",
        "<ul><li>one</ul>",
        "<p>end</p><",
    ])
    func checkerRejectsBrokenMarkup(_ html: String) {
        #expect(!HTMLStructureChecker.parse(html).problems.isEmpty)
    }

    @Test func checkerAcceptsVoidAndSelfClosingElements() {
        let html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"s.css\"></head><body><!-- note --><p>a &amp; b<br>c</p><svg><rect x=\"1\"/></svg></body></html>"
        #expect(HTMLStructureChecker.parse(html).problems.isEmpty)
    }

    @Test func linkCheckFindsMissingPagesAndAnchors() {
        let pages = [
            SitePage(path: "index.html", html: "<p id=\"a\"><a href=\"#a\">ok</a><a href=\"#nope\">x</a><a href=\"lessons/x.html\">y</a></p>"),
        ]
        let problems = Self.problems(in: pages, assetsDirectory: "/nonexistent")
        #expect(problems.count == 2)
    }
}

@Suite("Code HTML")
struct CodeHTMLTests {
    @Test func tokensBecomeEscapedSpans() {
        #expect(CodeHTML.highlight("if a < b: \"<&>\" # done\n", language: "python")
            == "<span class=\"hl-keyword\">if</span> a &lt; b: <span class=\"hl-string\">\"&lt;&amp;&gt;\"</span> <span class=\"hl-comment\"># done</span>")
    }

    @Test func strayEscapesAreDropped() {
        #expect(CodeHTML.highlight("a\u{1B}[35mb\n", language: "text") == "a[35mb")
    }

    @Test func highlightedCodeIsWellFormed() {
        let code = "def f(x):\n    return \"<tag>\" + 'it''s' # 1 < 2\nprint(f(3))\n"
        for language in ["python", "javascript", "swift", "text"] {
            let html = CodeHTML.highlight(code, language: language)
            #expect(HTMLStructureChecker.parse("<pre>\(html)</pre>").problems.isEmpty, "\(language): \(html)")
            #expect(!html.contains("<tag>"))
        }
    }
}
