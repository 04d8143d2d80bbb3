import Glibc
import Testing
@testable import LessonKit

/// A results file learn-mp cannot read is reported once and kept aside, never overwritten.
@Suite(.serialized) struct ResultStoreTests {
    @Test func aCorruptFileIsKeptAsideAndReportedOnce() throws {
        let directory = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-results")
        defer { FileSystem.removeTree(directory) }
        let path = directory + "/results.json"
        let garbage: [UInt8] = Array("{\"greet\": {\"passed\": tr".utf8) + [0xE9, 0x0A]
        try FileSystem.writeBytes(garbage, to: path)
        var store = ResultStore(path: path)
        #expect(store.entries.isEmpty)
        let notice = try #require(store.notice)
        #expect(notice.contains("is not a results file learn-mp can read"))
        let kept = FileSystem.list(directory).filter { $0.hasPrefix("results.json.corrupt-") }
        #expect(kept.count == 1)
        #expect(notice.contains(kept.first ?? "?"), "the notice names where the file went")
        #expect(try FileSystem.readBytes(directory + "/" + kept[0]) == garbage, "kept byte for byte")
        store.record([Runner.failed(RunJob(lesson: "t", demo: "greet", runtime: .swift, executable: "x", script: nil, files: [],
                                           expected: "", expectedExit: 0, timeout: 1, outputLimit: 1), "no")])
        try store.save()
        let again = ResultStore(path: path)
        #expect(again.notice == nil, "reported once")
        #expect(again.entries["greet"]?.passed == false)
        #expect(FileSystem.list(directory).filter { $0.hasPrefix("results.json.corrupt-") } == kept)
    }

    @Test func aMissingFileIsAnEmptyStoreWithoutNotice() {
        let store = ResultStore(path: "/nonexistent/results.json")
        #expect(store.entries.isEmpty && store.notice == nil)
    }

    @Test func verifyWarnsOnceAboutACorruptResultsFile() throws {
        let outcome = try EndToEndTests().learnMP(["verify", "all"], lessons: "good", seedResults: "not json\n")
        #expect(outcome.code == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.components(separatedBy: "is not a results file learn-mp can read").count == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("results.json.corrupt-"))
    }
}
