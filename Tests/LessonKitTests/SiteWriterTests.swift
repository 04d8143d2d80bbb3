import Foundation
import Glibc
import Testing
@testable import LessonKit

/// `learn-mp export` loses nothing: real folders, files and symbolic links in a scratch copy of
/// a repository (its `site/` assets and fixture lessons), exported in every way that once
/// deleted or replaced a file.
@Suite("Site export keeps files")
struct SiteWriterTests {
    /// A scratch repository: `repo/site/{style.css,tabs.js}` and `repo/lessons/*.md`, and an
    /// empty place for the output.
    struct Scratch {
        var root: String
        var assets: String { root + "/repo/site" }
        var lessonsFolder: String { root + "/repo/lessons" }

        init() throws {
            root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-site-writer")
            try FileSystem.makeDirectories(assets)
            for name in SiteExporter.assets {
                try FileSystem.writeBytes(try FileSystem.readBytes(packageRoot + "/site/" + name), to: assets + "/" + name)
            }
            try copyTree(SiteExportTests.fixtures, to: lessonsFolder)
        }

        func exporter() -> SiteExporter {
            SiteExporter(lessons: SiteExportTests.lessons(in: lessonsFolder), results: nil)
        }

        /// Every file under the scratch root with its bytes, to show that nothing changed.
        func snapshot() -> [String: [UInt8]] {
            var files: [String: [UInt8]] = [:]
            func walk(_ path: String) {
                switch FileSystem.kind(of: path) {
                case .directory: for name in FileSystem.list(path) { walk(path + "/" + name) }
                case .symbolicLink: files[path] = Array("-> link".utf8)
                default: files[path] = (try? FileSystem.readBytes(path)) ?? []
                }
            }
            walk(root)
            return files
        }

        func remove() { FileSystem.removeTree(root) }
    }

    func text(_ path: String) throws -> String { try FileSystem.readText(path) }

    // MARK: - Sources are never written

    @Test func exportThroughALinkToTheAssetsFolderKeepsTheAssets() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let before = try FileSystem.readBytes(scratch.assets + "/style.css")
        #expect(symlink(scratch.assets, scratch.root + "/out") == 0)
        let written = try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
        // The assets are their own sources there: left alone, not deleted, not rewritten.
        #expect(try FileSystem.readBytes(scratch.assets + "/style.css") == before)
        #expect(FileSystem.exists(scratch.assets + "/tabs.js"))
        #expect(!written.contains { $0.hasSuffix("style.css") || $0.hasSuffix("tabs.js") })
        #expect(FileSystem.exists(scratch.assets + "/index.html"))
        // A second export into the same place is just as quiet.
        try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
        #expect(try FileSystem.readBytes(scratch.assets + "/style.css") == before)
    }

    @Test func anAssetLinkedToItsSourceIsLeftInPlace() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileSystem.makeDirectories(scratch.root + "/out")
        #expect(symlink(scratch.assets + "/style.css", scratch.root + "/out/style.css") == 0)
        try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
        #expect(FileSystem.kind(of: scratch.root + "/out/style.css") == .symbolicLink)
        #expect(FileSystem.kind(of: scratch.assets + "/style.css") == .file)
        #expect(FileSystem.kind(of: scratch.root + "/out/tabs.js") == .file)
    }

    @Test func aPageThatIsALessonIsRefusedBeforeAnythingIsWritten() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileSystem.makeDirectories(scratch.root + "/out")
        let lesson = scratch.lessonsFolder + "/01-basics.md"
        #expect(symlink(lesson, scratch.root + "/out/index.html") == 0)
        let before = scratch.snapshot()
        #expect(throws: SiteExportError.isSource(path: scratch.root + "/out/index.html", source: lesson)) {
            try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets, force: true)
        }
        #expect(scratch.snapshot() == before)
    }

    @Test func pagesAreNotWrittenIntoTheLessonsFolder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileSystem.makeDirectories(scratch.root + "/out")
        #expect(symlink(scratch.lessonsFolder, scratch.root + "/out/lessons") == 0)
        let before = scratch.snapshot()
        #expect(throws: SiteExportError.self) {
            try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
        }
        #expect(scratch.snapshot() == before)
    }

    // MARK: - The reader's own files

    @Test func aFileExportDidNotWriteIsKeptUnlessForced() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.root + "/out"
        try FileSystem.makeDirectories(out)
        try FileSystem.writeText("body { color: hotpink }\n", to: out + "/style.css")
        let before = scratch.snapshot()
        do {
            try scratch.exporter().export(to: out, assets: scratch.assets)
            Issue.record("export replaced the reader's style.css")
        } catch let error as SiteExportError {
            #expect(error == .notWrittenByExport(paths: [out + "/style.css"], directory: out))
            #expect("\(error)".contains("pass --force"))
        }
        #expect(scratch.snapshot() == before, "nothing written when a check fails")
        try scratch.exporter().export(to: out, assets: scratch.assets, force: true)
        #expect(try FileSystem.readBytes(out + "/style.css") == FileSystem.readBytes(scratch.assets + "/style.css"))
    }

    @Test func filesExportWroteAreReplacedAndChangedOnesAreNot() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.root + "/out"
        try scratch.exporter().export(to: out, assets: scratch.assets)
        let manifest = try text(out + "/" + SiteWriter.manifestName)
        #expect(manifest.contains("  index.html\n") && manifest.contains("  lessons/02-pool.html\n") && manifest.contains("  style.css\n"))

        // Unchanged pages of an earlier export are replaced when the lessons change.
        try FileSystem.writeText(try text(scratch.lessonsFolder + "/02-pool.md").replacingOccurrences(of: "# ", with: "# 新 "),
                                 to: scratch.lessonsFolder + "/02-pool.md")
        let rewritten = try scratch.exporter().export(to: out, assets: scratch.assets)
        #expect(rewritten.contains(out + "/lessons/02-pool.html"))
        #expect(try text(out + "/lessons/02-pool.html").contains("新 "))

        // A page the reader edited is theirs now.
        try FileSystem.writeText("<p>my notes</p>\n", to: out + "/index.html")
        #expect(throws: SiteExportError.notWrittenByExport(paths: [out + "/index.html"], directory: out)) {
            try scratch.exporter().export(to: out, assets: scratch.assets)
        }
        #expect(try text(out + "/index.html") == "<p>my notes</p>\n")
    }

    @Test func pagesFromBeforeTheManifestAreRecognised() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.root + "/out"
        // A page as export wrote it before it kept a manifest, and a page of the reader's.
        let old = "<!DOCTYPE html>\n<html lang=\"zh-CN\" class=\"no-js\">\n<body>\n<footer class=\"site-footer\">\n"
            + "<p>Generated by <code>learn-mp export</code>. Samples run with <code>learn-mp lesson</code>.</p>\n</footer>\n</body>\n</html>\n"
        try FileSystem.makeDirectories(out + "/lessons")
        try FileSystem.writeText(old, to: out + "/index.html")
        try FileSystem.writeText("<!DOCTYPE html>\n<p>mine</p>\n", to: out + "/lessons/01-basics.html")
        #expect(throws: SiteExportError.notWrittenByExport(paths: [out + "/lessons/01-basics.html"], directory: out)) {
            try scratch.exporter().export(to: out, assets: scratch.assets)
        }
        FileSystem.removeTree(out + "/lessons/01-basics.html")
        try scratch.exporter().export(to: out, assets: scratch.assets)
        #expect(try text(out + "/index.html").contains(SiteExporter.generatorMeta))
        #expect(FileSystem.exists(out + "/" + SiteWriter.manifestName))
    }

    // MARK: - Readable errors, nothing half-done

    @Test func aFolderWhereAFileGoesIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.root + "/out"
        try FileSystem.makeDirectories(out + "/style.css")
        let before = scratch.snapshot()
        do {
            try scratch.exporter().export(to: out, assets: scratch.assets, force: true)
            Issue.record("export wrote over a folder")
        } catch {
            #expect("\(error)" == "cannot write \(out)/style.css: it is a directory. Move it away or choose another --out.")
        }
        #expect(scratch.snapshot() == before)
    }

    @Test func aFileWhereTheSiteGoesIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileSystem.writeText("not a folder\n", to: scratch.root + "/out")
        #expect(throws: SiteExportError.notAFolder(path: scratch.root + "/out")) {
            try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
        }
        try FileSystem.makeDirectories(scratch.root + "/out2")
        try FileSystem.writeText("not a folder\n", to: scratch.root + "/out2/lessons")
        #expect(throws: SiteExportError.notAFolder(path: scratch.root + "/out2/lessons")) {
            try scratch.exporter().export(to: scratch.root + "/out2", assets: scratch.assets)
        }
        #expect(FileSystem.list(scratch.root + "/out2") == ["lessons"])
    }

    @Test func aMissingAssetIsReportedBeforeAnythingIsWritten() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        FileSystem.removeTree(scratch.assets + "/tabs.js")
        do {
            try scratch.exporter().export(to: scratch.root + "/out", assets: scratch.assets)
            Issue.record("export went on without tabs.js")
        } catch {
            #expect("\(error)".hasPrefix("cannot read \(scratch.assets)/tabs.js: it does not exist"))
        }
        #expect(!FileSystem.exists(scratch.root + "/out"))
    }

    @Test func writingOverAFolderLeavesNoTemporaryFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileSystem.makeDirectories(scratch.root + "/dir/taken")
        #expect(throws: FileError.self) { try FileSystem.writeBytes([1, 2, 3], to: scratch.root + "/dir/taken") }
        #expect(FileSystem.list(scratch.root + "/dir") == ["taken"])
        // And a link is replaced, not written through.
        try FileSystem.writeText("kept\n", to: scratch.root + "/dir/target")
        #expect(symlink(scratch.root + "/dir/target", scratch.root + "/dir/link") == 0)
        try FileSystem.writeText("new\n", to: scratch.root + "/dir/link")
        #expect(try text(scratch.root + "/dir/target") == "kept\n")
        #expect(FileSystem.kind(of: scratch.root + "/dir/link") == .file)
    }
}
