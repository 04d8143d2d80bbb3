// MARK: - Writing the site's files

/// Writes the site's files into a directory without losing anything that is already there.
///
/// The rules, checked for every file before the first one is written:
/// - A file is written to a temporary name in its own folder and renamed over the old one, so
///   the old file stays whole until the new one is complete; a symbolic link in the way is
///   replaced, never followed.
/// - Nothing is written over a file export reads from (an asset, a lesson, the results),
///   whatever links or `..` lead there: files are compared by device and inode. An asset that
///   already *is* its source (the site folder is the assets folder, or a link to it) is left
///   alone. Nothing is written into the lessons folder.
/// - A file that is already there is replaced only when export wrote it: the folder's
///   manifest (``manifestName``) lists each file export wrote with a hash of its bytes, and a
///   file that is missing from it, or changed since, is the reader's own. Those are replaced
///   only with `force`; a folder is never replaced. A file already holding exactly the new
///   bytes is left as it is.
struct SiteWriter {
    /// One file of the site.
    struct File {
        /// The path relative to the site folder (`index.html`, `lessons/02-pool.html`).
        var path: String
        /// The content.
        var bytes: [UInt8]
        /// The file it is a copy of (an asset), if any.
        var source: String?
    }

    /// The manifest's name in the site folder.
    static let manifestName = ".learn-mp-export"

    /// The site folder, as the caller named it (errors show it this way).
    var directory: String
    /// The files to write.
    var files: [File]
    /// Files export reads from, never to be written.
    var sources: [String]
    /// Folders export reads from, never to be written into.
    var sourceDirectories: [String]
    /// Whether files the reader owns may be replaced.
    var force = false

    /// Checks every file, then writes them and the manifest.
    ///
    /// - Returns: the paths written (files already in place are not among them).
    /// - Throws: ``SiteExportError`` or ``FileError``, before anything is written when a check
    ///   fails.
    func write() throws -> [String] {
        let plan = try check()
        var manifest = plan.manifest
        var written: [String] = []
        defer { if !written.isEmpty { try? saveManifest(manifest) } }
        for file in plan.writes {
            let path = "\(directory)/\(file.path)"
            if let slash = path.lastIndex(of: "/") { try FileSystem.makeDirectories(String(path[..<slash])) }
            try FileSystem.writeBytes(file.bytes, to: path)
            manifest[file.path] = Self.hash(file.bytes)
            written.append(path)
        }
        return written
    }

    // MARK: - Checks

    private struct Plan {
        var writes: [File]
        var manifest: [String: String]
    }

    private func check() throws -> Plan {
        try checkFolders()
        let manifestPath = "\(directory)/\(Self.manifestName)"
        let hasManifest = FileSystem.kind(of: manifestPath) != .missing
        var manifest = hasManifest ? try Self.readManifest(manifestPath) : [:]
        var sourceIdentities: [FileSystem.Identity: String] = [:]
        for source in sources {
            if let identity = FileSystem.identity(of: source) { sourceIdentities[identity] = source }
        }
        let forbiddenFolders = Dictionary(sourceDirectories.compactMap { folder in
            FileSystem.identity(of: folder).map { ($0, folder) }
        }, uniquingKeysWith: { first, _ in first })

        var writes: [File] = []
        var notOurs: [String] = []
        for file in files {
            let path = "\(directory)/\(file.path)"
            if let folderIdentity = FileSystem.identity(of: Self.folder(of: path)), let folder = forbiddenFolders[folderIdentity] {
                throw SiteExportError.intoSources(path: path, folder: folder)
            }
            let kind = FileSystem.kind(of: path)
            if kind == .missing {
                writes.append(file)
                continue
            }
            if let identity = FileSystem.identity(of: path), let source = sourceIdentities[identity] {
                // The site folder is the assets folder (or links to it): the asset is in place.
                if let own = file.source, FileSystem.identity(of: own) == identity { continue }
                throw SiteExportError.isSource(path: path, source: source)
            }
            if FileSystem.isDirectory(path) { throw SiteExportError.directoryInTheWay(path: path) }
            if kind == .file {
                let current = try FileSystem.readBytes(path)
                if current == file.bytes {
                    manifest[file.path] = Self.hash(current)
                    continue
                }
                let recorded = manifest[file.path] == Self.hash(current)
                let generated = !hasManifest && file.path.hasSuffix(".html") && Self.isGeneratedPage(current)
                if recorded || generated {
                    writes.append(file)
                    continue
                }
            }
            if !force { notOurs.append(path) }
            writes.append(file)
        }
        if !notOurs.isEmpty { throw SiteExportError.notWrittenByExport(paths: notOurs, directory: directory) }
        return Plan(writes: writes, manifest: manifest)
    }

    /// Fails when the site folder, or a folder on the way to one of its files, is a file.
    private func checkFolders() throws {
        var folders: Set<String> = [directory]
        for file in files {
            var path = directory
            for part in file.path.split(separator: "/").dropLast() {
                path += "/\(part)"
                folders.insert(path)
            }
        }
        for folder in folders.sorted() where FileSystem.kind(of: folder) != .missing && !FileSystem.isDirectory(folder) {
            throw SiteExportError.notAFolder(path: folder)
        }
    }

    private static func folder(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }

    /// Pages written before export kept a manifest carry its footer.
    private static func isGeneratedPage(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasPrefix("<!DOCTYPE html>") && (text.contains(SiteExporter.generatorMeta)
            || text.contains("<p>Generated by <code>learn-mp export</code>."))
    }

    // MARK: - Manifest

    /// FNV-1a, 64 bits, as 16 hex digits: enough to notice that a file changed.
    static func hash(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func readManifest(_ path: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        for line in try FileSystem.readText(path).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            entries[parts[1].trimmingPrefix(" ").description] = String(parts[0])
        }
        return entries
    }

    private func saveManifest(_ entries: [String: String]) throws {
        var text = "# Files `learn-mp export` wrote here, with a hash of each. It replaces only these, and only\n"
        text += "# while unchanged; anything else needs `learn-mp export --force`.\n"
        for (path, hash) in entries.sorted(by: { $0.key < $1.key }) {
            text += "\(hash)  \(path)\n"
        }
        try FileSystem.writeText(text, to: "\(directory)/\(Self.manifestName)")
    }
}
