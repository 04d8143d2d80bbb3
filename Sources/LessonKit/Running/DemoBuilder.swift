/// Builds demo binaries on demand with `swift build --product demo-<slug>`.
public struct DemoBuilder: Sendable {
    /// The workspace.
    public var workspace: Workspace

    /// Creates a builder for `workspace`.
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Why demo `slug` needs a build, or nil when its binary is up to date.
    public func staleReason(_ slug: String) -> String? {
        staleReason(slug, librarySources: librarySources())
    }

    /// Why demo `slug` needs a build, given the library's sources with their modification
    /// times (the same for every demo, so ``buildStale(_:log:)`` looks them up once).
    func staleReason(_ slug: String, librarySources: [(path: String, modified: Double?)]) -> String? {
        guard let built = FileSystem.modificationTime(workspace.demoBinary(slug)) else { return "not built yet" }
        let demoSources = sourceFiles(under: workspace.root + "/Sources/Demos/" + slug).map { ($0, FileSystem.modificationTime($0)) }
        for (source, modified) in demoSources + librarySources {
            if let modified, modified > built {
                return "\(relativePath(source, to: workspace.root)) changed"
            }
        }
        return nil
    }

    /// The library's sources (Swift and C) a demo binary links, with their modification times.
    func librarySources() -> [(path: String, modified: Double?)] {
        let root = workspace.root + "/Sources/"
        return (sourceFiles(under: root + "Multiprocessing") + sourceFiles(under: root + "CMultiprocessing"))
            .map { ($0, FileSystem.modificationTime($0)) }
    }

    /// The files under `directory` that are compiled into a binary: `.swift`, `.c` and `.h`
    /// (not the DocC catalog's articles, which do not change the binary).
    private func sourceFiles(under directory: String) -> [String] {
        FileSystem.list(directory).flatMap { name -> [String] in
            let path = directory + "/" + name
            if FileSystem.isDirectory(path) { return sourceFiles(under: path) }
            return [".swift", ".c", ".h"].contains(where: name.hasSuffix) ? [path] : []
        }
    }

    /// Builds every stale demo of `slugs`, one `swift build` at a time.
    ///
    /// - Parameters:
    ///   - slugs: the demos to build when stale.
    ///   - log: receives `Building demo-x (reason)…` lines.
    /// - Returns: the build failures: slug → compiler output.
    public func buildStale(_ slugs: [String], log: (String) -> Void) -> [String: String] {
        var failures: [String: String] = [:]
        let library = librarySources()
        for slug in slugs {
            guard let reason = staleReason(slug, librarySources: library) else { continue }
            log("Building demo-\(slug) (\(reason))…")
            var arguments = ["build", "--product", "demo-\(slug)"]
            if workspace.buildPathIsCustom { arguments += ["--build-path", workspace.buildPath] }
            let request = SpawnRequest(executable: "swift", arguments: arguments, environment: nil, directory: workspace.root,
                                       timeout: 1800, outputLimit: 8 << 20)
            var result = Spawn.run(request)
            if result.termination != .exited(0), (result.stdout + result.stderr).contains("no product named") ||
                (result.stdout + result.stderr).contains("in build description") {
                // A demo folder added since SwiftPM last read Package.swift: its cached manifest
                // does not list the product yet. Read the manifest afresh.
                var fresh = request
                fresh.arguments = ["build", "--manifest-cache", "none", "--disable-build-manifest-caching"] + arguments.dropFirst()
                result = Spawn.run(fresh)
            }
            if result.termination == .exited(0), FileSystem.exists(workspace.demoBinary(slug)) {
                // SwiftPM may skip relinking an unchanged binary: mark it as checked now.
                FileSystem.touch(workspace.demoBinary(slug))
            } else {
                failures[slug] = "swift \(arguments.joined(separator: " ")) failed (\(result.termination)):\n" + result.stdout + result.stderr
            }
        }
        return failures
    }
}
