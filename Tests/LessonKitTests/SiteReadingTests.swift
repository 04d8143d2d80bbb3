import Foundation
import Testing
@testable import LessonKit

/// What a reader of the site gets: interface text in the lesson's language, a search that
/// finds Chinese and code, how to run each sample, and a run's standard error beside its output.
@Suite("Site for readers")
struct SiteReadingTests {
    static func lesson(_ markdown: String, name: String = "01-basics.md") -> Lesson {
        LessonParser.parse(markdown, path: "/lessons/\(name)").lesson
    }

    static let sampleLesson = """
    ---
    title: 基础
    description: 说明
    LANG
    ---

    # 基础

    ## 进程池

    | Python | Swift | 说明 |
    |---|---|---|
    | `Pool` | `Pool(processes:)` | 进程池 |

    ```python
    from multiprocessing import Pool
    ```

    ```javascript
    console.log(1)
    ```

    ```swift demo=fixture-create
    print(1)
    ```

    ```output demo=fixture-create
    1
    ```

    """

    /// The interface phrases of the English site, none of which may appear on a Chinese page.
    static let englishInterface = ["Lessons", "On this page", "Expected output", "Last run", "One row per process",
                                   "Skip to content", "Not run yet", "the original", "Previous", "All lessons"]

    static func pages(lang: String?) -> [SitePage] {
        let markdown = sampleLesson.replacingOccurrences(of: "LANG\n", with: lang.map { "lang: \($0)\n" } ?? "")
        let lesson = lesson(markdown)
        var store = ResultStore(path: "/nonexistent/results.json")
        store.entries["fixture-create"] = ResultStore.Entry(passed: true, seconds: 0.1, date: 0, output: "1\n", exitCode: 0,
                                                           errorOutput: "warn\n")
        return SiteExporter(lessons: [lesson, self.lesson(markdown, name: "02-more.md")], results: store).pages()
    }

    // MARK: - Language

    @Test func interfaceTextIsChineseByDefault() throws {
        let pages = Self.pages(lang: nil)
        for page in pages {
            #expect(page.html.contains("<html lang=\"zh-CN\""), "\(page.path)")
            for phrase in Self.englishInterface {
                #expect(!page.html.contains(">\(phrase)") && !page.html.contains("\"\(phrase)"), "\(page.path): \(phrase)")
            }
        }
        let lesson = pages[1].html
        #expect(lesson.contains(">课程</h2>"))
        #expect(lesson.contains(">本页内容</h2>"))
        #expect(lesson.contains(">预期输出</h4>"))
        #expect(lesson.contains("最近一次运行"))
        #expect(lesson.contains("跳到正文"))
    }

    @Test func anEnglishLessonGetsAnEnglishInterface() throws {
        let pages = Self.pages(lang: "en")
        #expect(pages.allSatisfy { $0.html.contains("<html lang=\"en\"") })
        let lesson = pages[1].html
        #expect(lesson.contains(">Lessons</h2>"))
        #expect(lesson.contains(">Expected output</h4>"))
        #expect(!lesson.contains("预期输出"))
    }

    @Test func aBadLanguageTagIsAFrontMatterProblem() {
        let parsed = LessonParser.parse(Self.sampleLesson.replacingOccurrences(of: "LANG", with: "lang: \"zh CN<\""), path: "/l/01-a.md")
        #expect(parsed.problems.contains { "\($0)".contains("`lang` must be a language tag") })
    }

    // MARK: - How to run, and standard error

    @Test func everyTabSaysHowToRunItsSample() throws {
        let lesson = Self.pages(lang: nil)[1].html
        #expect(lesson.contains("<code>python3 fixture-create.py</code>"))
        #expect(lesson.contains("<code>learn-mp run fixture-create --python</code>"))
        #expect(lesson.contains("<code>node fixture-create.js</code>"))
        #expect(lesson.contains("<code>learn-mp run fixture-create --node</code>"))
        #expect(lesson.contains("<code>learn-mp run fixture-create</code>"))
    }

    @Test func standardErrorIsShownBesideStandardOutput() throws {
        let lesson = Self.pages(lang: nil)[1].html
        #expect(lesson.contains("标准输出（stdout）"))
        #expect(lesson.contains("<div class=\"stream stream-err\">\n<p class=\"stream-label\">标准错误（stderr）</p>\n<pre class=\"output\">warn\n</pre>"))
        #expect(HTMLStructureChecker.parse(lesson).problems.isEmpty)
    }

    @Test func theRunnerKeepsStandardErrorApartForTheSite() throws {
        let job = RunJob(lesson: "t", demo: "bar", runtime: .python, executable: "/bin/sh",
                         script: "echo done; printf '0%%\\r50%%\\r100%%\\n' >&2", files: [],
                         expected: "done\n", expectedExit: 0, timeout: 10, outputLimit: 1 << 20)
        var store = ResultStore(path: "/nonexistent/results.json")
        store.record([Runner.run(job)])
        let entry = try #require(store.entries[job.title])
        #expect(entry.output == "done\n")
        #expect(entry.errorOutput == "0%\r50%\r100%\n")
        let record = DemoRunRecord(demo: "bar", entry: entry)
        let renderer = LessonPageRenderer(lesson: Self.lesson(Self.sampleLesson), runs: { _ in nil }, lessonLinks: [:])
        let html = renderer.streams(of: record)
        #expect(html.contains("<pre class=\"output\">100%\n</pre>"), "a progress bar shows its last state: \(html)")
        #expect(html.contains("重画 2 次"))
    }

    @Test func longOutputIsCollapsed() {
        let long = (1...40).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let html = LessonPageRenderer.collapsible(long, label: "stderr", summary: { "\($0) lines" })
        #expect(html.hasPrefix("<details class=\"output-long\">\n<summary><span class=\"stream-label\">stderr</span> 40 lines</summary>"))
        #expect(!html.contains("<details open"))
        let short = LessonPageRenderer.collapsible("a\nb\n", label: nil, summary: { "\($0) lines" })
        #expect(short == "<pre class=\"output\">a\nb\n</pre>\n")
    }

    @Test(arguments: [
        ("plain\n", "plain\n", 0),
        ("0%\r50%\r100%\n", "100%\n", 2),
        ("abcdef\rXY\n", "XYcdef\n", 1),
        ("a\r\nb\n", "a\nb\n", 0),
        ("\rstart\n", "start\n", 0),
    ])
    func carriageReturnsRedrawTheLine(_ input: String, _ shown: String, _ redraws: Int) {
        let result = LessonPageRenderer.asTerminalShows(input)
        #expect(result.text == shown)
        #expect(result.redraws == redraws)
    }

    // MARK: - Search

    /// The browser's search, in Swift: the entries holding every pair of the query, confirmed
    /// by a substring match.
    static func search(_ index: SearchIndex, _ query: String) -> [SearchIndex.Entry] {
        let term = query.lowercased()
        var candidates: Set<Int>?
        for pair in SearchIndex.pairs(of: term) {
            let posting = Set(index.pairs[pair] ?? [])
            candidates = candidates.map { $0.intersection(posting) } ?? posting
        }
        return (candidates ?? Set(index.entries.indices)).sorted().map { index.entries[$0] }.filter {
            [$0.lesson, $0.heading, $0.text, $0.code].joined(separator: "\n").lowercased().contains(term)
        }
    }

    @Test func searchFindsChineseAndCodeInTheRealLessons() throws {
        let lessons = SiteExportTests.lessons(in: "\(SiteExportTests.packageRoot)/lessons")
        let index = SearchIndex(lessons: lessons)
        let pool = Self.search(index, "进程池")
        #expect(!pool.isEmpty)
        #expect(pool.contains { $0.url.hasPrefix("lessons/02-pool.html") })
        let unordered = Self.search(index, "imap_unordered")
        #expect(unordered.contains { $0.code.contains("imap_unordered") })
        #expect(unordered.contains { $0.text.contains("imap_unordered") })
        #expect(Self.search(index, "IMAP_UNORDERED").count == unordered.count, "case does not matter")
        #expect(Self.search(index, "进程池子不存在的词").isEmpty)

        // Every entry's page and anchor exist on the exported pages.
        let pages = SiteExporter(lessons: lessons, results: nil).pages()
        for entry in index.entries {
            let parts = entry.url.split(separator: "#", maxSplits: 1).map(String.init)
            let page = try #require(pages.first { $0.path == parts[0] }, "\(entry.url)")
            if parts.count == 2 { #expect(page.html.contains("id=\"\(parts[1])\""), "\(entry.url)") }
        }
    }

    @Test func theIndexPairsEveryTwoCharactersWithoutSpaces() {
        #expect(SearchIndex.pairs(of: "进程池 Ab") == ["进程", "程池", "ab"])
        let index = SearchIndex(lessons: [Self.lesson(Self.sampleLesson.replacingOccurrences(of: "LANG\n", with: ""))])
        #expect(index.entries.map(\.heading) == ["", "进程池"])
        #expect(index.entries[1].url == "lessons/01-basics.html#进程池")
        #expect(index.entries[1].code.contains("from multiprocessing import Pool"))
        #expect(index.pairs["池"] == nil && index.pairs["程池"] == [1])
    }

    @Test func theIndexIsAScriptThatSetsOneGlobal() throws {
        let script = try SearchIndex(lessons: [Self.lesson(Self.sampleLesson.replacingOccurrences(of: "LANG\n", with: ""))]).script()
        #expect(script.contains("\nwindow.learnMPSearchIndex = {"))
        let json = String(script[script.range(of: "= ")!.upperBound...].dropLast(2))
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [String: Any])
    }
}
