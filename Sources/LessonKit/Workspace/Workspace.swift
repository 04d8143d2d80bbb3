/// Where things are: the package root, the lessons, the demo sources and binaries.
public struct Workspace: Sendable {
    /// The package root (the directory with `Package.swift`).
    public var root: String
    /// The directory of lesson files (`<root>/lessons` by default).
    public var lessonsDirectory: String
    /// SwiftPM's build directory (`<root>/.build` by default); binaries are in its `debug/`.
    public var buildPath: String
    /// Whether the build directory was given explicitly (it is then passed to `swift build`).
    public var buildPathIsCustom: Bool

    /// Creates a workspace.
    ///
    /// - Parameters:
    ///   - root: The package root; nil walks up from the current directory to `Package.swift`.
    ///   - lessons: The lessons directory; nil is `<root>/lessons`.
    ///   - buildPath: The build directory; nil is `$LEARN_MP_BUILD_PATH`, else `<root>/.build`.
    /// - Throws: ``WorkspaceError/noPackage(start:)`` when no `Package.swift` is found.
    public init(root: String? = nil, lessons: String? = nil, buildPath: String? = nil) throws(WorkspaceError) {
        if let root {
            self.root = FileSystem.absolute(root)
        } else {
            let start = FileSystem.currentDirectory
            var directory = start
            while !FileSystem.exists(directory + "/Package.swift") {
                guard directory != "/", let slash = directory.lastIndex(of: "/") else { throw .noPackage(start: start) }
                directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
            }
            self.root = directory
        }
        lessonsDirectory = lessons.map(FileSystem.absolute) ?? self.root + "/lessons"
        let custom = buildPath ?? environmentValue("LEARN_MP_BUILD_PATH")
        self.buildPath = custom.map(FileSystem.absolute) ?? self.root + "/.build"
        buildPathIsCustom = custom != nil
    }

    /// The source of demo `slug`.
    public func demoSource(_ slug: String) -> String { "\(root)/Sources/Demos/\(slug)/main.swift" }

    /// The binary of demo `slug`.
    public func demoBinary(_ slug: String) -> String { "\(buildPath)/debug/demo-\(slug)" }

    /// Where the last results are kept.
    public var resultsFile: String { "\(buildPath)/learn-mp/results.json" }

    /// The lesson files, sorted by name.
    public var lessonFiles: [String] {
        FileSystem.list(lessonsDirectory).filter { $0.hasSuffix(".md") }.map { lessonsDirectory + "/" + $0 }
    }

    /// The demo slugs with a source folder.
    public var demoSlugs: [String] {
        FileSystem.list(root + "/Sources/Demos").filter { FileSystem.exists(demoSource($0)) }
    }
}

// MARK: - Closest names

/// The candidates closest to `name` (edit distance, prefix and substring matches first).
public func closestNames(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
    let lowered = name.lowercased()
    let scored = candidates.map { candidate -> (String, Int) in
        let other = candidate.lowercased()
        if other.hasPrefix(lowered) || other.contains(lowered) { return (candidate, 0) }
        return (candidate, editDistance(lowered, other))
    }
    let threshold = max(2, lowered.count / 2)
    return scored.filter { $0.1 <= threshold }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.0)
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(1, b.count) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = b.isEmpty ? [i] : current
    }
    return previous[b.count]
}
