/// The learner's copies of samples, to edit and re-check without touching the lessons or
/// `Sources/Demos`.
///
/// `<home>/play/<slug>/` holds `main.swift`, `main.py` and `main.js` as the lesson gives them.
/// `<home>/play/Package.swift` is a SwiftPM package with one executable target per Swift copy
/// (`play-<slug>`), depending on this repository by path for `Multiprocessing`, built into
/// `<home>/play/.build`.
public struct Playground: Sendable {
    /// The learner's home.
    public var home: LearnerHome
    /// The repository the copies build against.
    public var workspace: Workspace

    /// Creates a playground.
    public init(home: LearnerHome, workspace: Workspace) {
        self.home = home
        self.workspace = workspace
    }

    /// The file names of a copy, by runtime.
    public static func fileName(_ runtime: Runtime) -> String {
        switch runtime {
        case .swift: "main.swift"
        case .python: "main.py"
        case .node: "main.js"
        }
    }

    /// The folder of the copy of demo `slug`.
    public func folder(_ slug: String) -> String { home.playground + "/" + slug }

    /// The copy of `slug` for `runtime`.
    public func copy(_ slug: String, _ runtime: Runtime) -> String { folder(slug) + "/" + Self.fileName(runtime) }

    /// The built Swift copy of `slug`.
    public func binary(_ slug: String) -> String { home.playground + "/.build/debug/play-\(slug)" }

    /// The original text of `sample` for `runtime`, or nil when the lesson has none.
    static func original(_ sample: Sample, _ runtime: Runtime) -> String? {
        switch runtime {
        case .swift: sample.swift?.code
        case .python: sample.python?.code
        case .node: sample.javascript?.code
        }
    }

    /// Makes the copies of `sample` for `runtimes` that do not exist yet (all of them with
    /// `reset`), and the package manifest. Returns the copies written.
    ///
    /// - Throws: ``FileError`` when a file cannot be written.
    @discardableResult
    public func prepare(_ sample: Sample, runtimes: [Runtime], reset: Bool) throws -> [String] {
        guard let slug = sample.checkedSlug else { return [] }
        try FileSystem.makeDirectories(folder(slug))
        var written: [String] = []
        for runtime in runtimes {
            guard let text = Self.original(sample, runtime) else { continue }
            let path = copy(slug, runtime)
            if reset || !FileSystem.exists(path) {
                try FileSystem.writeText(text, to: path)
                written.append(path)
            }
        }
        let manifest = home.playground + "/Package.swift"
        let text = manifestText
        if (try? FileSystem.readText(manifest)) != text { try FileSystem.writeText(text, to: manifest) }
        return written
    }

    /// Whether the Swift copies were never built (the first build compiles the library too).
    public var isFirstBuild: Bool { !FileSystem.exists(home.playground + "/.build/debug") }

    /// Builds the Swift copy of `slug`; nil on success, else the compiler's output.
    public func build(_ slug: String) -> String? {
        // The manifest lists the copies' folders when it runs: never use a cached one.
        let arguments = ["build", "--package-path", home.playground, "--manifest-cache", "none", "--product", "play-\(slug)"]
        let request = SpawnRequest(executable: "swift", arguments: arguments, environment: nil, directory: home.playground,
                                   timeout: 1800, outputLimit: 8 << 20)
        let result = Spawn.run(request)
        guard result.termination == .exited(0) else {
            return "swift \(arguments.joined(separator: " ")) failed (\(result.termination)):\n" + result.stdout + result.stderr
        }
        return nil
    }

    /// The job that checks the learner's copy of `sample` for `runtime` against the lesson's
    /// expected output (nil when the lesson has no such program or no expected output).
    public func job(for sample: Sample, in lesson: Lesson, runtime: Runtime, library: LessonLibrary) -> RunJob? {
        guard let slug = sample.checkedSlug, var job = library.jobs(for: sample, in: lesson, runtimes: [runtime]).first else { return nil }
        switch runtime {
        case .swift: job.executable = binary(slug)
        case .python, .node: job.script = (try? FileSystem.readText(copy(slug, runtime))) ?? job.script
        }
        return job
    }

    /// The manifest of the playground package.
    var manifestText: String {
        """
        // swift-tools-version: 6.1
        // Written by learn-mp: one executable target per copy in this folder (play-<slug>),
        // built against the Multiprocessing library of \(workspace.root).
        import Foundation
        import PackageDescription

        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        let files = FileManager.default
        let slugs = ((try? files.contentsOfDirectory(atPath: here)) ?? [])
            .filter { files.fileExists(atPath: "\\(here)/\\($0)/main.swift") }
            .sorted()

        let package = Package(
            name: "learn-mp-play",
            platforms: [.macOS(.v15)],
            dependencies: [.package(name: "learn-mp", path: \(String(reflecting: workspace.root)))],
            targets: slugs.map { slug in
                .executableTarget(
                    name: "play-\\(slug)",
                    dependencies: [.product(name: "Multiprocessing", package: "learn-mp")],
                    path: slug,
                    exclude: ((try? files.contentsOfDirectory(atPath: "\\(here)/\\(slug)")) ?? []).filter { $0 != "main.swift" }
                )
            }
        )

        """
    }
}
