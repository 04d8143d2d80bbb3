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

    // MARK: - Several runtimes on one scale

    /// A run of `length` seconds whose one worker (named `name`, pid `pid`) lives 1 s.
    static func run(pid: Int32, name: String, length: UInt64, thread: Bool = false) -> Timeline {
        let s: UInt64 = 1_000_000_000
        var events = [
            TraceEvent(.processStarted(parent: 1, name: "python3", runtime: nil), pid: pid, time: 10 * s, source: .observer),
            TraceEvent(.processExited(exitCode: 0, cpu: nil), pid: pid, time: (10 + length) * s, source: .observer),
        ]
        if thread {
            events.append(TraceEvent(.threadStarted(name: name), pid: pid, thread: pid + 1, time: 10 * s))
            events.append(TraceEvent(.threadExited(cpu: nil), pid: pid, thread: pid + 1, time: 11 * s))
        } else {
            events.append(TraceEvent(.processStarted(parent: pid, name: name, runtime: "python"), pid: pid + 1, time: 10 * s))
            events.append(TraceEvent(.processExited(exitCode: 0, cpu: nil), pid: pid + 1, time: 11 * s))
        }
        return Timeline(events: events)
    }

    @Test func threeRuntimesShareOneTimeScale() throws {
        let runs = [(label: "Python", timeline: Self.run(pid: 100, name: "Process-1", length: 2)),
                    (label: "Node.js", timeline: Self.run(pid: 200, name: "Worker 1", length: 4, thread: true)),
                    (label: "Swift", timeline: Self.run(pid: 300, name: "Process-1", length: 1))]
        let lines = TimelineTerminalRenderer(width: 80, color: false, unicode: false).render(comparing: runs)
        // Three headings, two lanes each, one axis, one legend, one caption.
        #expect(lines.dropLast().filter { $0.hasPrefix("Python (") || $0.hasPrefix("Node.js (") || $0.hasPrefix("Swift (") }.count == 3)
        let workers = lines.filter { $0.contains("Process-1") || $0.contains("Worker 1") }
        #expect(workers.count == 3)
        // Each worker lives from 0 to 1 s of its run: the same columns in every run, a quarter
        // of the bar (the longest run lasts 4 s).
        func lastMark(_ line: String) -> Int? {
            let bar = line.split(separator: "|", omittingEmptySubsequences: false)[1]
            return bar.lastIndex { $0 != " " }.map { bar.distance(from: bar.startIndex, to: $0) }
        }
        let ends = workers.compactMap(lastMark)
        #expect(ends.count == 3 && Set(ends).count == 1, "\(workers)")
        let main = try #require(lines.first { $0.hasPrefix("MainProcess") })
        let barWidth = main.split(separator: "|", omittingEmptySubsequences: false)[1].count
        #expect(abs(Double(ends[0] + 1) / Double(barWidth) - 0.25) < 0.05)
        // Threads are drawn inside their process, processes as rows of their own.
        #expect(lines.contains { $0.contains("Worker 1") && $0.contains(".") })
        #expect(lines.last == "Python: 1 child process · Node.js: 1 thread · Swift: 1 child process")

        let renderer = TimelineSVGRenderer(idPrefix: "cmp", title: "t")
        let svg = renderer.render(comparing: runs)
        #expect(HTMLStructureChecker.parse(svg).problems.isEmpty)
        #expect(svg.components(separatedBy: "class=\"tl-run-label\"").count == 4)
        #expect(svg.contains("tl-thread"))
        // Every worker's bar ends at the x of 1 s on the 4 s scale.
        let oneSecond = renderer.x(1_000_000_000, span: 4_000_000_000)
        let lifeBars = svg.components(separatedBy: "<rect class=\"tl-life\" ").dropFirst().filter {
            $0.contains("Process-1,") || $0.contains("Worker 1,")
        }
        #expect(lifeBars.count == 3)
        for bar in lifeBars {
            let x = try #require(Double(bar.between("x=\"", "\"")))
            let width = try #require(Double(bar.between("width=\"", "\"")))
            #expect(abs(x + width - oneSecond) < 1, "\(bar.prefix(80))")
        }
    }
}

extension String {
    /// The text between the first `open` and the next `close`.
    fileprivate func between(_ open: String, _ close: String) -> String {
        guard let a = range(of: open), let b = self[a.upperBound...].range(of: close) else { return "" }
        return String(self[a.upperBound..<b.lowerBound])
    }
}
