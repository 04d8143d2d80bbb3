import Testing
@testable import LessonKit
import Multiprocessing

@Suite("Timeline")
struct TimelineTests {
    /// A pool run: main 100 starts two workers; 102 runs two tasks, one failing; 101 is killed.
    static let trace = """
    {"event":"start","pid":101,"ppid":100,"name":"ForkPoolWorker-1","t":5000000000}
    {"event":"start","pid":102,"ppid":100,"name":"ForkPoolWorker-2","t":5010000000}
    not json at all
    {"event":"task-start","pid":102,"job":1,"task":0,"t":5020000000}
    {"event":"task-end","pid":102,"job":1,"task":0,"failed":false,"t":5100000000}
    {"event":"task-start","pid":102,"job":1,"task":1,"t":5100000000}
    {"event":"task-end","pid":102,"job":1,"task":1,"failed":true,"t":5200000000}
    {"event":"start","pid":103,"ppid":102,"name":"Grandchild","t":5150000000}
    {"event":"exit","pid":103,"code":0,"t":5160000000}
    {"event":"task-start","pid":101,"job":1,"task":2
    {"event":"mystery","pid":1,"t":1}
    {"event":"exit","pid":101,"code":-9,"t":5300000000}
    {"event":"exit","pid":102,"code":0,"t":5400000000}
    """

    @Test func readerSkipsMalformedAndUnknownLines() {
        let events = TraceReader.parse(Self.trace)
        #expect(events.count == 10)
        #expect(events.first == TraceEvent(.processStarted(parent: 100, name: "ForkPoolWorker-1", runtime: nil), pid: 101, time: 5_000_000_000))
    }

    @Test func rowsAreOrderedByStartWithTheMainProcessFirst() {
        let timeline = Timeline(trace: Self.trace)
        #expect(timeline.rows.map(\.pid) == [100, 101, 102, 103])
        #expect(timeline.rows.map(\.name) == ["MainProcess", "ForkPoolWorker-1", "ForkPoolWorker-2", "Grandchild"])
        #expect(timeline.duration == 400_000_000)
        let main = timeline.rows[0]
        #expect(main.isMain && main.start == 0 && main.end == timeline.duration)
        #expect(timeline.rows[1].exitCode == -9)
        #expect(timeline.rows[3].depth == 2)
        #expect(Timeline.status(of: timeline.rows[1]) == "signal 9")
    }

    @Test func onlyUnexpectedEndingsAreFlagged() {
        let timeline = Timeline(trace: Self.trace)
        #expect(timeline.rows.map(Timeline.endedBadly) == [false, true, false, false])
        let terminated = Timeline(trace: #"{"event":"start","pid":5,"ppid":4,"name":"w","t":1}"# + "\n" + #"{"event":"exit","pid":5,"code":-15,"t":9}"#)
        #expect(!Timeline.endedBadly(terminated.rows[1]))
        let unreaped = Timeline(trace: #"{"event":"start","pid":5,"ppid":4,"name":"w","t":1}"#)
        #expect(Timeline.endedBadly(unreaped.rows[1]))
        #expect(Timeline.status(of: unreaped.rows[1]) == "not reaped")
    }

    @Test func tasksPairStartsWithEnds() {
        let timeline = Timeline(trace: Self.trace)
        let worker = timeline.rows[2]
        #expect(worker.tasks.count == 2)
        #expect(worker.tasks[0].start == 20_000_000 && worker.tasks[0].end == 100_000_000 && !worker.tasks[0].failed)
        #expect(worker.tasks[1].failed)
        #expect(timeline.hasTasks)
    }

    @Test func emptyTraceGivesEmptyTimeline() {
        #expect(Timeline(trace: "").isEmpty)
        #expect(Timeline(trace: "garbage\n{}\n").isEmpty)
        #expect(TimelineTerminalRenderer().render(Timeline(trace: "")).isEmpty)
        #expect(TimelineSVGRenderer(idPrefix: "x", title: "t").render(Timeline(trace: "")) == "")
    }

    @Test(arguments: [40, 80, 132])
    func plainTerminalOutputIsASCIIAndFitsTheWidth(width: Int) {
        let lines = TimelineTerminalRenderer(width: width, color: false, unicode: false).render(Timeline(trace: Self.trace))
        #expect(lines.count == 1 + 4 + 1 + 1)  // title, rows, axis, legend
        for line in lines {
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\u{1B}" }, "\(line)")
            #expect(line.count <= max(width, 45), "\(line.count) > \(width): \(line)")
        }
        #expect(lines[1].hasPrefix("MainProcess"))
        #expect(lines[2].hasSuffix("signal 9"))
        #expect(lines[3].contains("#") && lines[3].contains("x"))
    }

    @Test func colourOnlyWhenAsked() {
        let timeline = Timeline(trace: Self.trace)
        let plain = TimelineTerminalRenderer(width: 80, color: false, unicode: true).renderText(timeline)
        let coloured = TimelineTerminalRenderer(width: 80, color: true, unicode: true).renderText(timeline)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}["))
        #expect(plain.contains("━") && plain.contains("█"))
    }

    @Test func svgIsLabelledAndEscaped() {
        let trace = #"{"event":"start","pid":9,"ppid":8,"name":"<w&1>","t":10}"# + "\n" + #"{"event":"exit","pid":9,"code":0,"t":2000010}"#
        let svg = TimelineSVGRenderer(idPrefix: "demo", title: "Timeline of \"x\"").render(Timeline(trace: trace))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("aria-labelledby=\"demo-tl-title demo-tl-desc\""))
        #expect(svg.contains("<title id=\"demo-tl-title\">Timeline of \"x\"</title>"))
        #expect(svg.contains("&lt;w&amp;1&gt;"))
        #expect(!svg.contains("<w&1>"))
        #expect(HTMLStructureChecker.parse(svg).problems.isEmpty)
    }

    @Test func ticksAreRound() {
        #expect(TimelineSVGRenderer.ticks(duration: 1_000_000_000) == [0, 200_000_000, 400_000_000, 600_000_000, 800_000_000, 1_000_000_000])
        #expect(TimelineSVGRenderer.ticks(duration: 0) == [0])
        #expect(Timeline.formatDuration(1_250_000_000) == "1.25 s")
        #expect(Timeline.formatDuration(12_000_000) == "12 ms")
        #expect(Timeline.formatDuration(2_500_000) == "2.5 ms")
    }
}
