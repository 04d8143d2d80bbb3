import Glibc
import Testing
@testable import Multiprocessing

@Suite("Trace schema")
struct TraceTests {
    /// One event of every kind, with awkward strings and extreme numbers.
    static let events: [TraceEvent] = [
        TraceEvent(.processStarted(parent: 100, name: "ForkPoolWorker-1", runtime: "python"), pid: 101, time: 5_000_000_000),
        TraceEvent(.processStarted(parent: 1, name: "quote\" back\\slash tab\tline\nret\r bell\u{07} 名字 🚀", runtime: nil), pid: Int32.max, time: 0),
        TraceEvent(.processExited(exitCode: -9, cpu: 12_000_000), pid: 101, time: 5_300_000_000),
        TraceEvent(.processExited(exitCode: nil, cpu: nil), pid: 7, time: UInt64.max, source: .observer),
        TraceEvent(.threadStarted(name: "Worker 1"), pid: 101, thread: 104, time: 5_010_000_000),
        TraceEvent(.threadExited(cpu: 3), pid: 101, thread: 104, time: 5_020_000_000, source: .observer),
        TraceEvent(.taskStarted(job: 3, index: 0), pid: 102, time: 5_020_000_000),
        TraceEvent(.taskEnded(job: 3, index: 0, failed: true), pid: 102, thread: 102, time: 5_100_000_000),
        TraceEvent(.taskEnded(job: Int(Int32.max), index: 9, failed: false), pid: 102, time: 5_100_000_001),
        TraceEvent(.acquired(object: "/mp-abc123", kind: .lock), pid: 103, thread: 103, time: 6),
        TraceEvent(.released(object: "/mp-abc123", kind: .boundedSemaphore), pid: 103, time: 7),
        TraceEvent(.acquired(object: "", kind: TraceEvent.HoldKind(rawValue: "mutex")), pid: 103, time: 8),
        TraceEvent(.put(queue: "q1"), pid: 104, thread: 1, time: 9),
        TraceEvent(.got(queue: "q1"), pid: -1, time: 10, source: .observer),
    ]

    @Test func everyEventSurvivesWritingAndReading() {
        let text = Self.events.map(\.line).joined()
        #expect(text.split(separator: "\n").count == Self.events.count)
        #expect(TraceReader.parse(text) == Self.events)
    }

    @Test func theWriterAppendsOneLinePerEventToTheTraceFile() {
        // A real file, through the calls a traced process uses.
        let path = "/tmp/learn-mp-trace-test-\(getpid()).jsonl"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        for event in Self.events {
            LineWriter.format(capacity: event.lineCapacity, { $0.append(event) }) { system_writeOnce(fd, $0) }
        }
        close(fd)
        #expect(TraceReader.parse(Self.contents(of: path)) == Self.events)
    }

    static func contents(of path: String) -> String {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = read(fd, &buffer, buffer.count), count > 0 { bytes += buffer[0..<count] }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func longStringsGetABufferBigEnough() {
        let name = String(repeating: "\u{01}", count: 3000)
        let event = TraceEvent(.processStarted(parent: 1, name: name, runtime: "swift"), pid: 2, time: 3)
        #expect(TraceReader.parse(event.line) == [event])
    }

    @Test(arguments: [0, 7, -9, 42_000, Int64.max, Int64.min])
    func integersAreDecimal(value: Int64) {
        #expect(LineWriter.formatted { $0.append(value) } == "\(value)")
    }

    @Test func overlongInputIsCutAtTheBuffer() {
        let line = LineWriter.formatted { $0.appendQuoted(String(repeating: "x", count: 2000)) }
        #expect(line.utf8.count == LineWriter.capacity)
    }

    @Test func malformedAndUnknownLinesAreSkipped() {
        let lines = [
            #"{"event":"exit","pid":1}"#,                                 // no time
            #"{"event":"start","pid":"x","ppid":1,"name":"a","t":2}"#,     // pid not a number
            #"{"event":"start","pid":1,"name":"a","t":2}"#,                // no parent
            #"{"event":"task-start","pid":101,"job":1,"task":2"#,          // torn
            #"{"event":"mystery","pid":1,"t":1}"#,                         // unknown
            #"{"event":"acquire","pid":1,"obj":"a","t":1}"#,               // no kind
            #"{"event":"thread-start","pid":1,"name":"a","t":1}"#,         // no tid
            #"{"event":"start","pid":1,"ppid":0,"t":1,"x":{"a":1}}"#,      // nested
            #"{"event":"start","pid":99999999999,"ppid":0,"t":1}"#,        // pid too big
            "not json at all", "",
        ]
        #expect(TraceReader.parse(lines.joined(separator: "\n")).isEmpty)
        #expect(TraceReader.parseLine(#" {"event":"get","pid":7,"obj":"a \"q\" \u00e9 \ud83d\ude80","t":2} "#)
            == TraceEvent(.got(queue: "a \"q\" é 🚀"), pid: 7, time: 2))
    }
}
