import Glibc
import Testing
@testable import LessonKit

/// `learn-mp sync` on files a careless editor leaves behind: it changes the drifted block's
/// lines and nothing else, or refuses and changes nothing.
@Suite(.serialized) struct SyncTests {
    static let drift = fixtures + "/lessons/drift/01-drift.md"
    static let source = "import Glibc\n\nprint(\"Main process PID: \\(getpid())\")\nprint(\"Worker A, Parent PID: \\(getpid())\")\n"

    /// Writes `bytes` as the only lesson of a fresh lessons directory; returns its path.
    func lesson(_ bytes: [UInt8]) throws -> String {
        let directory = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-sync")
        try FileSystem.writeBytes(bytes, to: directory + "/01-drift.md")
        return directory + "/01-drift.md"
    }

    func sync(_ path: String, check: Bool = false) throws -> EndToEndTests.Outcome {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        return try EndToEndTests().learnMP(["sync"] + (check ? ["--check"] : []), lessons: directory)
    }

    @Test func anUnclosedFenceIsRefusedAndNothingChanges() throws {
        // The swift block's fence is never closed: cmark swallows the prose and the python block
        // after it into the swift block, which then "differs" from the demo source.
        let text = "---\ntitle: Drift\n---\n\n```swift demo=greet\nprint(\"old\")\n\n说明文字。\n\n```python\nprint(1)\n"
        let path = try lesson(Array(text.utf8))
        defer { FileSystem.removeTree(String(path[..<path.lastIndex(of: "/")!])) }
        let outcome = try sync(path)
        #expect(outcome.code == 1, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("not synced"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is never closed"), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("every swift block matches"))
        #expect(try FileSystem.readBytes(path) == Array(text.utf8))
    }

    @Test func aFileThatIsNotUTF8IsRefusedByteForByte() throws {
        // Latin-1 "café" in the prose, and a drifted block sync would otherwise rewrite.
        var bytes = try FileSystem.readBytes(Self.drift)
        bytes.insert(contentsOf: Array("caf".utf8) + [0xE9, 10, 10], at: Array(String(decoding: bytes, as: UTF8.self).utf8).firstIndex(of: 96)!)
        let path = try lesson(bytes)
        defer { FileSystem.removeTree(String(path[..<path.lastIndex(of: "/")!])) }
        let outcome = try sync(path)
        #expect(outcome.code == 2, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("not UTF-8 (line 5, byte"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Save the file as UTF-8"))
        #expect(try FileSystem.readBytes(path) == bytes, "no U+FFFD written back")
    }

    @Test func aCRLFFileKeepsItsLineEndsAndEveryOtherByte() throws {
        let original = try FileSystem.readText(Self.drift).replacing("\n", with: "\r\n") + "trailing text without a line end"
        let path = try lesson(Array(original.utf8))
        let directory = String(path[..<path.lastIndex(of: "/")!])
        defer { FileSystem.removeTree(directory) }
        chmod(path, 0o640)
        let check = try sync(path, check: true)
        #expect(check.code == 1 && check.stdout.contains("out of date: greet"), "sync sees the drift verify sees: \(check.stdout)")
        let outcome = try sync(path)
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("updated greet"))
        let after = try FileSystem.readText(path)
        let expected = original.replacing("Worker B", with: "Worker A")
        #expect(after == expected, "only the drifted line changed; CRLF and the unterminated last line kept")
        #expect(Array(after.utf8) == Array(expected.utf8))
        #expect(FileSystem.list(directory) == ["01-drift.md"], "no temporary file left")
        #expect(system_stat(path).map { $0.st_mode & 0o777 } == 0o640, "permissions kept")
        #expect(try sync(path, check: true).code == 0)
        let workspace = try Workspace(root: fixtures + "/workspace", lessons: directory)
        #expect(try LessonLibrary(workspace: workspace).problems.isEmpty, "verify agrees")
    }

    @Test func aDemoSourceWithCRLFMatchesTheSameBlock() throws {
        let text = try FileSystem.readText(Self.drift).replacing("Worker B", with: "Worker A")
        let path = try lesson(Array(text.utf8))
        let directory = String(path[..<path.lastIndex(of: "/")!])
        defer { FileSystem.removeTree(directory) }
        let sourceFile = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-sync") + "/main.swift"
        try FileSystem.writeText(Self.source.replacing("\n", with: "\r\n"), to: sourceFile)
        #expect(try LessonLibrary.blockText(ofSource: sourceFile) == Self.source)
        #expect(try sync(path, check: true).code == 0)
    }

    @Test func replacingABlockTouchesOnlyItsLines() {
        let file = Array("a\r\n```swift x\r\nold 1\r\nold 2\r\n```\r\nz".utf8)
        #expect(LessonText.replacingBlock(in: file, fence: 2, old: "old 1\nold 2\n", new: "new\n") == Array("a\r\n```swift x\r\nnew\r\n```\r\nz".utf8))
        #expect(LessonText.replacingBlock(in: file, fence: 2, old: "other\nold 2\n", new: "new\n") == nil, "lines that are not the block")
        #expect(LessonText.replacingBlock(in: file, fence: 4, old: "old 2\n```\nz\n", new: "new\n") == nil, "past the end")
    }
}
