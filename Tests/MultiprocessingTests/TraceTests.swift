import Testing
@testable import Multiprocessing

@Suite("Trace lines")
struct TraceTests {
    @Test(arguments: ["Process-1", "ForkPoolWorker-12", "quote\" back\\slash", "tab\tline\nret\r", "bell\u{07}esc\u{1B}", "名字 ü 🚀", ""])
    func namesAreQuotedAsBefore(name: String) {
        let line = LineWriter.formatted { $0.appendQuoted(name) }
        #expect(line == Trace.quoted(name))
    }

    @Test(arguments: [0, 7, -9, 42_000, Int64.max, Int64.min])
    func integersAreDecimal(value: Int64) {
        #expect(LineWriter.formatted { $0.append(value) } == "\(value)")
    }

    @Test func overlongInputIsCutAtTheBuffer() {
        let line = LineWriter.formatted { $0.appendQuoted(String(repeating: "x", count: 2000)) }
        #expect(line.utf8.count == LineWriter.capacity)
    }
}
