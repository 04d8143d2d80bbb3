// MARK: - Lesson

/// One lesson file (`lessons/NN-slug.md`), parsed: front matter, sections and their content.
///
/// Data flows one way: Markdown → `Lesson` → runs and checks → views. Nothing downstream
/// re-reads the Markdown.
public struct Lesson: Sendable {
    /// The lesson's number, from the file name's `NN-` prefix (0 when it has none).
    public var number: Int
    /// The slug, from the file name without the number and extension (`pool` for `02-pool.md`).
    public var slug: String
    /// The file the lesson was read from.
    public var path: String
    /// `title` from the front matter.
    public var title: String
    /// `description` from the front matter.
    public var description: String
    /// `lang` from the front matter: the language of the prose, a BCP 47 tag; the site's
    /// interface text follows it. ``defaultLanguage`` when the front matter names none.
    public var language = Lesson.defaultLanguage
    /// The sections in document order. Content before the first heading is a section with
    /// level 0 and an empty title.
    public var sections: [Section]

    /// Creates a lesson.
    public init(number: Int, slug: String, path: String, title: String, description: String, sections: [Section]) {
        self.number = number
        self.slug = slug
        self.path = path
        self.title = title
        self.description = description
        self.sections = sections
    }

    /// The language of a lesson whose front matter has no `lang`: the course's, Chinese.
    public static let defaultLanguage = "zh-CN"

    /// Every sample of the lesson, in document order.
    public var samples: [Sample] {
        sections.flatMap { section in
            section.blocks.compactMap { block -> Sample? in
                if case .sample(let sample) = block { return sample }
                return nil
            }
        }
    }

    /// The samples that have a Swift demo (and so can be run and checked).
    public var demos: [Sample] { samples.filter { $0.demo != nil } }

    /// The exercises (samples whose blocks say `exercise=<slug>`), in document order.
    public var exercises: [Sample] { samples.filter { $0.exercise != nil } }

    /// `NN-slug`, the file name without extension.
    public var name: String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".md") { name.removeLast(3) }
        return name
    }

    /// Whether the file name starts with a number (`00-overview.md` does, `notes.md` does not).
    public var isNumbered: Bool { name.first?.isNumber == true }

    /// `2. 进程池`: the title after the number, when the file name has one above 0.
    public var displayTitle: String { isNumbered && number > 0 ? "\(number). \(title)" : title }
}

// MARK: - Section

/// A heading and the blocks under it, up to the next heading.
public struct Section: Sendable {
    /// The heading level (1–6), or 0 for the content before the first heading.
    public var level: Int
    /// The heading text.
    public var title: String
    /// The heading's line in the lesson file.
    public var line: Int
    /// The content.
    public var blocks: [Block]

    /// Creates a section.
    public init(level: Int, title: String, line: Int, blocks: [Block]) {
        self.level = level
        self.title = title
        self.line = line
        self.blocks = blocks
    }
}

// MARK: - Blocks

/// A block of lesson content.
public indirect enum Block: Sendable {
    /// A paragraph of inline content.
    case paragraph([Inline])
    /// A bulleted (`ordered == false`) or numbered list; each item is a list of blocks.
    case list(ordered: Bool, start: Int, items: [[Block]])
    /// A pipe table: the header cells, then the rows.
    case table(header: [[Inline]], rows: [[[Inline]]])
    /// A GitHub alert (`> [!TIP] 标题`): kind in lower case (`tip`, `info`, `note`, `warning`…).
    case tip(kind: String, title: String, blocks: [Block])
    /// A block quote that is not an alert.
    case quote([Block])
    /// A code block that is not part of a sample (a plain illustration).
    case code(CodeBlock)
    /// A group of sample blocks: Python, Node.js, Swift, expected output, input files.
    case sample(Sample)
    /// A horizontal rule.
    case rule
    /// Raw HTML, kept as text.
    case html(String)
}

/// Inline content of a paragraph, heading, list item or table cell.
public enum Inline: Sendable, Equatable {
    /// Plain text.
    case text(String)
    /// `code`.
    case code(String)
    /// *emphasis*.
    case emphasis([Inline])
    /// **strong**.
    case strong([Inline])
    /// ~~strikethrough~~.
    case strikethrough([Inline])
    /// A link with its text and destination.
    case link([Inline], url: String)
    /// A line break inside a paragraph (soft breaks become spaces when wrapping).
    case lineBreak(soft: Bool)
}

extension Array where Element == Inline {
    /// The text without any markup.
    public var plainText: String {
        map { inline -> String in
            switch inline {
            case .text(let text), .code(let text): text
            case .emphasis(let children), .strong(let children), .strikethrough(let children): children.plainText
            case .link(let children, _): children.plainText
            case .lineBreak(let soft): soft ? " " : "\n"
            }
        }.joined()
    }
}

// MARK: - Samples

/// A fenced code block with its info string.
public struct CodeBlock: Sendable, Equatable {
    /// The first word of the info string (`python`, `javascript`, `swift`, `output`, `file`).
    public var language: String
    /// `key=value` options from the info string (`demo=create-process`, `timeout=10`).
    public var options: [String: String]
    /// The code, ending with a newline (as cmark gives it).
    public var code: String
    /// The line of the opening fence in the lesson file.
    public var line: Int

    /// Creates a code block.
    public init(language: String, options: [String: String], code: String, line: Int) {
        self.language = language
        self.options = options
        self.code = code
        self.line = line
    }
}

/// A file the sample's programs find in their working directory (a fence whose info string is `file name=data.txt`).
public struct InputFile: Sendable, Equatable, Codable {
    /// The file name, relative to the working directory (no `..`).
    public var name: String
    /// The contents.
    public var contents: String

    /// Creates an input file.
    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}

/// The expected output of a demo
/// (a fence with the info string `output demo=<slug> [timeout=N] [exit=N] [min-time=S]`), with the
/// behaviour facts of the `facts demo=<slug>` fence after it.
public struct ExpectedOutput: Sendable, Equatable {
    /// The expected text, in the expected-output language (see ``OutputPattern``).
    public var text: String
    /// Seconds the demo may run before it is reported as hanging (default 60).
    public var timeout: Double
    /// The exit code the demo must end with (default 0).
    public var exitCode: Int32
    /// What every run must show beside its output (``Fact``): the facts block's facts, and
    /// `min-time=` of the output block as ``Fact/minTime(_:)``.
    public var facts: [Fact] = []
    /// The line of the opening fence.
    public var line: Int
    /// The line of the facts block's opening fence, when the sample has one.
    public var factsLine: Int? = nil

    /// The default time limit, in seconds.
    public static let defaultTimeout: Double = 60

    /// Creates an expected output.
    public init(text: String, timeout: Double = ExpectedOutput.defaultTimeout, exitCode: Int32 = 0, line: Int) {
        self.text = text
        self.timeout = timeout
        self.exitCode = exitCode
        self.line = line
    }
}

/// One sample: the Python original, its Node.js twin, the Swift demo and the expected output,
/// written as consecutive fenced blocks.
public struct Sample: Sendable {
    /// The Python original.
    public var python: CodeBlock?
    /// The Node.js twin.
    public var javascript: CodeBlock?
    /// The Swift demo's code (equal to `Sources/Demos/<slug>/main.swift`).
    public var swift: CodeBlock?
    /// The expected output.
    public var output: ExpectedOutput?
    /// Files created in the working directory before the programs run.
    public var files: [InputFile]
    /// The code blocks in document order (for rendering), hints included.
    public var blocks: [CodeBlock]
    /// An exercise's hints (fences with the info string `hint exercise=<slug>`), to be shown one at a time.
    public var hints: [String] = []
    /// The section title the sample appears under.
    public var sectionTitle: String
    /// The lesson file and the line of the sample's first block.
    public var file: String
    /// See ``file``.
    public var line: Int

    /// Creates an empty sample starting at `line`.
    public init(file: String, line: Int, sectionTitle: String) {
        self.file = file
        self.line = line
        self.sectionTitle = sectionTitle
        self.files = []
        self.blocks = []
    }

    /// The demo slug (`create-process` for product `demo-create-process`), when the sample
    /// has a `swift demo=<slug>` block.
    public var demo: String? { swift?.options["demo"] }

    /// The exercise slug, when the sample is an exercise (a fence with the info string `swift exercise=<slug>`).
    ///
    /// An exercise is a sample whose `swift` block (and `python` / `javascript` blocks, if any)
    /// is the starting program with a part left for the learner, whose `output exercise=<slug>`
    /// block is what a finished program prints, and whose `hint exercise=<slug>` blocks are
    /// hints in order. Its reference solution is the program `Sources/Demos/<slug>/main.swift`
    /// (product `demo-<slug>`), which `verify` checks against the expected output; it is not
    /// in the lesson text.
    public var exercise: String? { swift?.options["exercise"] }

    /// The slug of the program that is checked: the demo, or the exercise's reference solution.
    public var checkedSlug: String? { demo ?? exercise }
}
