import CCmark

/// Parses lesson Markdown (cmark-gfm with the table extension) into a ``Lesson``.
///
/// ```swift
/// let lesson = try LessonParser.parse(contentsOf: "lessons/01-process.md")
/// ```
///
/// Problems are collected, not stopped at: ``parse(_:path:)`` returns every one found, each
/// with its file and line.
public enum LessonParser {
    // MARK: - Entry points

    /// Parses `text`, read from `path` (the path names the lesson and appears in errors).
    ///
    /// - Returns: the lesson and the problems found (empty when the lesson is well formed).
    public static func parse(_ text: String, path: String) -> (lesson: Lesson, problems: [LessonError]) {
        // A file saved with Windows line ends reads as the same lesson ("\r\n" is one Character).
        let text = text.contains("\r\n") ? text.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n") : text
        let (number, slug) = lessonName(fromPath: path)
        if let tooLarge = LessonSize.check(text, path: path) {
            return (Lesson(number: number, slug: slug, path: path, title: slug, description: "", sections: []), [tooLarge])
        }
        var problems: [LessonError] = []
        var title = slug
        var description = ""
        var language = Lesson.defaultLanguage
        var body = text
        do {
            let front = try FrontMatter.read(text, file: path)
            title = front.title
            description = front.description
            language = front.language ?? language
            // Blank out the front matter so cmark's line numbers are the file's line numbers.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            body = String(repeating: "\n", count: front.lineCount) + lines.dropFirst(front.lineCount).joined(separator: "\n")
        } catch {
            problems.append(error)
        }
        var builder = Builder(path: path, source: body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        withDocument(body) { document in builder.build(document: document) }
        problems += builder.problems
        // cmark runs an unclosed fence to the end of the file: whatever follows is swallowed
        // into that block, so problems after it are only echoes of the one real problem.
        if let unclosed = problems.first(where: { if case .unclosedFence = $0 { true } else { false } }) {
            problems.removeAll { $0.line >= unclosed.line && $0 != unclosed }
        }
        problems.sort { $0.line < $1.line }
        var lesson = Lesson(number: number, slug: slug, path: path, title: title, description: description, sections: builder.sections)
        lesson.language = language
        return (lesson, problems)
    }

    /// Reads and parses the lesson file at `path`.
    ///
    /// - Throws: ``LessonProblems`` when the file has problems, or a ``FileError`` when it
    ///   cannot be read.
    public static func parse(contentsOf path: String) throws -> Lesson {
        let text = try FileSystem.readUTF8(path)
        let (lesson, problems) = parse(text, path: path)
        if !problems.isEmpty { throw LessonProblems(problems) }
        return lesson
    }

    /// The number and slug of a lesson file name: `lessons/02-pool.md` → (2, "pool").
    public static func lessonName(fromPath path: String) -> (number: Int, slug: String) {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".md") { name.removeLast(3) }
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, name.dropFirst(digits.count).first == "-" {
            return (Int(digits) ?? 0, String(name.dropFirst(digits.count + 1)))
        }
        return (0, name)
    }

    // MARK: - cmark

    private static func withDocument(_ text: String, _ body: (OpaquePointer) -> Void) {
        cmark_gfm_core_extensions_ensure_registered()
        guard let parser = cmark_parser_new(CMARK_OPT_DEFAULT) else { return }
        defer { cmark_parser_free(parser) }
        for name in ["table", "strikethrough"] {
            if let extensionPointer = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, extensionPointer)
            }
        }
        var text = text
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cmark_parser_feed(parser, chars.baseAddress, chars.count)
            }
        }
        guard let document = cmark_parser_finish(parser) else { return }
        defer { cmark_node_free(document) }
        body(document)
    }
}

/// Every problem found in one or more lesson files.
public struct LessonProblems: Error, CustomStringConvertible, Sendable {
    /// The problems, in file and line order.
    public var problems: [LessonError]
    /// Wraps `problems`.
    public init(_ problems: [LessonError]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

// MARK: - Walking the tree

private func children(_ node: OpaquePointer) -> [OpaquePointer] {
    var result: [OpaquePointer] = []
    var child = cmark_node_first_child(node)
    while let current = child {
        result.append(current)
        child = cmark_node_next(current)
    }
    return result
}

private func typeName(_ node: OpaquePointer) -> String {
    cmark_node_get_type_string(node).map { String(cString: $0) } ?? ""
}

private func literal(_ node: OpaquePointer) -> String {
    cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
}

private struct Builder {
    let path: String
    let source: [String]
    var sections: [Section] = []
    var problems: [LessonError] = []
    var current = Section(level: 0, title: "", line: 1, blocks: [])
    var sample: Sample?
    /// The rank of the last block in the open sample (python 1, javascript 2, swift 3, output 4).
    var lastRank = 0
    var demoLines: [String: Int] = [:]

    init(path: String, source: [String]) {
        self.path = path
        self.source = source
    }

    mutating func build(document: OpaquePointer) {
        for node in children(document) {
            let type = typeName(node)
            if type == "code_block" {
                checkFence(node)
                addCode(node)
                continue
            }
            closeSample()
            if type == "heading" {
                if current.level > 0 || !current.blocks.isEmpty { sections.append(current) }
                current = Section(level: Int(cmark_node_get_heading_level(node)), title: inlines(node).plainText,
                                  line: Int(cmark_node_get_start_line(node)), blocks: [])
            } else if let block = convert(node) {
                current.blocks.append(block)
            }
        }
        closeSample()
        if current.level > 0 || !current.blocks.isEmpty { sections.append(current) }
    }

    // MARK: Fences

    /// cmark runs an unclosed fence to the end of the document; catch that.
    mutating func checkFence(_ node: OpaquePointer) {
        var length: Int32 = 0, offset: Int32 = 0
        var character: CChar = 0
        guard cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return }
        let fence = String(repeating: Character(Unicode.Scalar(UInt8(bitPattern: character))), count: Int(length))
        let start = Int(cmark_node_get_start_line(node))
        let end = Int(cmark_node_get_end_line(node))
        let closing = end - 1 < source.count && end > start ? source[end - 1].trimmed(of: " \t\r") : ""
        let closed = closing.count >= fence.count && closing.allSatisfy { $0 == fence.first }
        if !closed {
            problems.append(.unclosedFence(file: path, line: start, fence: fence))
            return
        }
        // A line inside that opens a block of its own (```python in a ``` block) means this
        // block's closing fence is missing: the next block's closing fence closed it instead,
        // and the blocks in between were swallowed silently.
        for index in start..<max(start, end - 1) where index < source.count {
            var line = Substring(source[index])
            var indent = 0
            while indent < 3, line.first == " " { line.removeFirst(); indent += 1 }
            let run = line.prefix { $0 == fence.first }
            let info = line.dropFirst(run.count).trimmed(of: " \t\r")
            if run.count >= fence.count, !info.isEmpty, !info.contains(fence.first!) {
                problems.append(.unclosedFence(file: path, line: start, fence: fence))
                return
            }
        }
    }

    // MARK: Samples

    mutating func addCode(_ node: OpaquePointer) {
        let info = InfoString(cmark_node_get_fence_info(node).map { String(cString: $0) } ?? "")
        let line = Int(cmark_node_get_start_line(node))
        let block = CodeBlock(language: info.language, options: info.options, code: literal(node), line: line)
        let rank: Int
        switch info.language {
        case "python", "py": rank = 1
        case "javascript", "js": rank = 2
        case "swift": rank = 3
        case "output": rank = 4
        case "facts": rank = 5
        case "file", "hint": rank = 0
        default:
            closeSample()
            current.blocks.append(.code(block))
            return
        }
        if rank > 0, sample != nil, rank <= lastRank { closeSample() }
        if sample == nil {
            sample = Sample(file: path, line: line, sectionTitle: current.title)
            lastRank = 0
        }
        if rank > 0 { lastRank = rank }
        sample!.blocks.append(block)
        switch rank {
        case 1: sample!.python = block
        case 2: sample!.javascript = block
        case 3:
            sample!.swift = block
            let key = info.options["demo"] == nil && info.options["exercise"] != nil ? "exercise" : "demo"
            if let demo = info.options[key] {
                if !isValidSlug(demo) {
                    problems.append(.badOption(file: path, line: line, option: "\(key)=\(demo)",
                                               reason: "a slug is lower-case letters, digits and dashes, e.g. demo=create-process"))
                } else if let first = demoLines[demo] {
                    problems.append(.duplicateDemo(file: path, line: line, demo: demo, firstFile: path, firstLine: first))
                } else {
                    demoLines[demo] = line
                }
            }
        case 4: addOutput(block, info: info)
        case 5: addFacts(block, info: info)
        default:
            if info.language == "hint" { addHint(block, info: info) } else { addFile(block, info: info) }
        }
    }

    mutating func addOutput(_ block: CodeBlock, info: InfoString) {
        let line = block.line
        var output = ExpectedOutput(text: block.code, line: line)
        if let value = info.options["timeout"] {
            if let seconds = positiveNumber(value) {
                output.timeout = seconds
            } else {
                problems.append(.badOption(file: path, line: line, option: "timeout=\(value)", reason: "expected a finite number of seconds > 0, e.g. timeout=10"))
            }
        }
        if let value = info.options["exit"] {
            if let code = Int32(value), code >= 0, code < 256 {
                output.exitCode = code
            } else {
                problems.append(.badOption(file: path, line: line, option: "exit=\(value)", reason: "expected an exit code 0…255, e.g. exit=1"))
            }
        }
        if let value = info.options["min-time"] {
            if let seconds = positiveNumber(value) {
                output.facts.append(.minTime(seconds))
            } else {
                problems.append(.badOption(file: path, line: line, option: "min-time=\(value)", reason: "expected the fewest seconds a correct run takes, a finite number > 0, e.g. min-time=2.8"))
            }
        }
        let known: Set<String> = ["demo", "exercise", "timeout", "exit", "min-time"]
        for (key, value) in info.options.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
            problems.append(.badOption(file: path, line: line, option: "\(key)=\(value)", reason: "unknown; output blocks take demo=<slug>, timeout=<seconds>, exit=<code>, min-time=<seconds>"))
        }
        for flag in info.flags {
            problems.append(.badOption(file: path, line: line, option: flag, reason: "unknown; output blocks take demo=<slug>, timeout=<seconds>, exit=<code>, min-time=<seconds>"))
        }
        do {
            _ = try OutputPattern(parsing: block.code)
        } catch {
            problems.append(.badExpectedOutput(file: path, line: line + error.line, reason: error.reason))
        }
        sample!.output = output
        guard let demo = info.options["demo"] ?? info.options["exercise"] else {
            problems.append(.outputWithoutDemo(file: path, line: line))
            return
        }
        guard sample!.swift != nil else {
            problems.append(.outputWithoutSwift(file: path, line: line, demo: demo))
            return
        }
        if let swiftDemo = sample!.checkedSlug, swiftDemo != demo {
            problems.append(.demoMismatch(file: path, line: line, swift: swiftDemo, output: demo))
        }
    }

    /// A facts block: it follows the output block of its sample and names the same demo.
    mutating func addFacts(_ block: CodeBlock, info: InfoString) {
        let line = block.line
        guard sample!.output != nil else {
            problems.append(.badOption(file: path, line: line, option: "facts",
                                       reason: "a facts block follows its sample's output block; put it right after ```output demo=<slug>"))
            return
        }
        let demo = info.options["demo"]
        let outputDemo = sample!.blocks.last { $0.language == "output" }?.options["demo"]
        if demo != outputDemo {
            problems.append(.badOption(file: path, line: line, option: "demo=\(demo ?? "")",
                                       reason: "a facts block names the demo of the output block before it: ```facts demo=\(outputDemo ?? "<slug>")"))
        }
        for (key, value) in info.options.sorted(by: { $0.key < $1.key }) where key != "demo" {
            problems.append(.badOption(file: path, line: line, option: "\(key)=\(value)", reason: "unknown; a facts block takes only demo=<slug>, its facts go one per line inside"))
        }
        for flag in info.flags {
            problems.append(.badOption(file: path, line: line, option: flag, reason: "unknown; a facts block takes only demo=<slug>, its facts go one per line inside"))
        }
        let parsed = FactParser.parse(block.code)
        for problem in parsed.problems {
            problems.append(.badFact(file: path, line: line + problem.line, reason: problem.reason))
        }
        sample!.output!.facts += parsed.facts
        sample!.output!.factsLine = line
    }

    mutating func addFile(_ block: CodeBlock, info: InfoString) {
        guard let name = info.options["name"], !name.isEmpty, !name.hasPrefix("/"),
              !name.split(separator: "/").contains("..") else {
            problems.append(.badOption(file: path, line: block.line, option: "name",
                                       reason: "a file block needs name=<relative path>, e.g. ```file name=data.txt"))
            return
        }
        sample!.files.append(InputFile(name: name, contents: block.code))
    }

    /// A hint of the exercise the sample is.
    mutating func addHint(_ block: CodeBlock, info: InfoString) {
        guard let exercise = info.options["exercise"], exercise == sample!.exercise else {
            problems.append(.badOption(file: path, line: block.line, option: "exercise",
                                       reason: "a hint belongs to the exercise of its sample: ```hint exercise=<slug> after ```swift exercise=<slug>"))
            return
        }
        sample!.hints.append(block.code)
    }

    mutating func closeSample() {
        guard let finished = sample else { return }
        sample = nil
        lastRank = 0
        if let swift = finished.swift, let demo = finished.checkedSlug, finished.output == nil {
            problems.append(.demoWithoutOutput(file: path, line: swift.line, demo: demo))
        }
        if let output = finished.output {
            for reason in FactParser.contradictions(in: output.facts, timeout: output.timeout) {
                problems.append(.badFact(file: path, line: output.factsLine ?? output.line, reason: reason))
            }
        }
        current.blocks.append(.sample(finished))
    }

    // MARK: Other blocks

    func convert(_ node: OpaquePointer) -> Block? {
        switch typeName(node) {
        case "paragraph":
            return .paragraph(inlines(node))
        case "list":
            let ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            let items = children(node).map { item in children(item).compactMap { convertNested($0) } }
            return .list(ordered: ordered, start: Int(cmark_node_get_list_start(node)), items: items)
        case "table":
            var header: [[Inline]] = []
            var rows: [[[Inline]]] = []
            for row in children(node) {
                let cells = children(row).map { inlines($0) }
                if cmark_gfm_extensions_get_table_row_is_header(row) != 0 { header = cells } else { rows.append(cells) }
            }
            return .table(header: header, rows: rows)
        case "block_quote":
            return quote(node)
        case "thematic_break":
            return .rule
        case "html_block":
            return .html(literal(node))
        default:
            return nil
        }
    }

    func convertNested(_ node: OpaquePointer) -> Block? {
        if typeName(node) == "code_block" {
            let info = InfoString(cmark_node_get_fence_info(node).map { String(cString: $0) } ?? "")
            return .code(CodeBlock(language: info.language, options: info.options, code: literal(node),
                                   line: Int(cmark_node_get_start_line(node))))
        }
        if typeName(node) == "heading" { return .paragraph([.strong(inlines(node))]) }
        return convert(node)
    }

    /// A block quote, or a GitHub alert when its first line is `[!KIND] title`.
    func quote(_ node: OpaquePointer) -> Block {
        var blocks = children(node).compactMap { convertNested($0) }
        guard case .paragraph(let first)? = blocks.first else { return .quote(blocks) }
        let breakIndex = first.firstIndex { if case .lineBreak = $0 { return true } else { return false } }
        let head = Array(first[..<(breakIndex ?? first.endIndex)]).plainText
        guard head.hasPrefix("[!"), let close = head.firstIndex(of: "]") else { return .quote(blocks) }
        let kind = head[head.index(head.startIndex, offsetBy: 2)..<close].lowercased()
        guard !kind.isEmpty, kind.allSatisfy({ $0.isLetter }) else { return .quote(blocks) }
        let title = head[head.index(after: close)...].trimmed(of: " ")
        if let breakIndex, breakIndex + 1 < first.count {
            blocks[0] = .paragraph(Array(first[(breakIndex + 1)...]))
        } else {
            blocks.removeFirst()
        }
        return .tip(kind: kind, title: title, blocks: blocks)
    }

    func inlines(_ node: OpaquePointer) -> [Inline] {
        var result: [Inline] = []
        for child in children(node) {
            switch typeName(child) {
            case "text":
                if case .text(let previous)? = result.last {
                    result[result.count - 1] = .text(previous + literal(child))
                } else {
                    result.append(.text(literal(child)))
                }
            case "code": result.append(.code(literal(child)))
            case "emph": result.append(.emphasis(inlines(child)))
            case "strong": result.append(.strong(inlines(child)))
            case "strikethrough": result.append(.strikethrough(inlines(child)))
            case "link", "image":
                result.append(.link(inlines(child), url: cmark_node_get_url(child).map { String(cString: $0) } ?? ""))
            case "softbreak": result.append(.lineBreak(soft: true))
            case "linebreak": result.append(.lineBreak(soft: false))
            case "html_inline": result.append(.text(literal(child)))
            default: result += inlines(child)
            }
        }
        return result
    }
}

extension String {
    /// The text without leading and trailing characters from `set`.
    func trimmed(of set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

extension Substring {
    func trimmed(of set: String) -> String { String(self).trimmed(of: set) }
}
