import Testing
@testable import LessonKit

/// The facts language: reading, refusing bad input, and each checker on evidence that shows
/// the fact and on evidence that contradicts it.
@Suite struct FactParsingTests {
    func lesson(facts: String, output: String = "```output demo=t timeout=30") -> (lesson: Lesson, problems: [LessonError]) {
        let text = "---\ntitle: t\n---\n\n```swift demo=t\nprint(1)\n```\n\n\(output)\n1\n```\n\n```facts demo=t\n\(facts)\n```\n"
        return LessonParser.parse(text, path: "lessons/99-t.md")
    }

    @Test func everyFactReadsBackAsWritten() throws {
        let lines = [
            "max-time 5 s", "min-time 2.8 s", "cpu-parallelism 1.5", "tasks 100", "workers 4", "peak-tasks >= 2",
            "peak-holds <= 2", "exclusive", #"line "Waiter-[INT] event received!" after 1.5 s"#,
            #"line "Waiter-[INT] event received!" after "Setting event[..]""#,
            #"completion-order "Completed: slept [FLOAT:took] s" by took"#, "peak-tasks >= 2 for swift, python",
        ]
        let parsed = FactParser.parse(lines.joined(separator: "\n"))
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.facts.map(\.description) == lines)
        #expect(parsed.facts[4] == .workers(Count(4)))
        #expect(parsed.facts[5] == .peakTasks(Count(2, .atLeast)))
        #expect(parsed.facts[11] == .only([.swift, .python], .peakTasks(Count(2, .atLeast))))
    }

    @Test func commentsBlankLinesAndUnitsAreAllowed() {
        let parsed = FactParser.parse("# the pool\n\nmax-time 5   # serial: 7.5 s\nmin-time 1.5s\n")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.facts == [.maxTime(5), .minTime(1.5)])
    }

    @Test func aFactsBlockAttachesToItsSample() {
        let parsed = lesson(facts: "max-time 5 s\nworkers 4")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.lesson.samples.first?.output?.facts == [.maxTime(5), .workers(Count(4))])
        #expect(parsed.lesson.samples.count == 1)
    }

    @Test func unknownFactIsAFileLineError() {
        let parsed = lesson(facts: "max-time 5 s\nfast-enough")
        #expect(parsed.problems.count == 1)
        let problem = parsed.problems.first
        // The facts fence is on line 13; its second fact on line 15.
        #expect(problem?.line == 15)
        #expect(problem?.description.hasPrefix("lessons/99-t.md:15: fact: unknown fact `fast-enough`") == true, "\(parsed.problems)")
        #expect(problem?.description.contains("`max-time <seconds> s`") == true)
    }

    @Test(arguments: ["max-time inf", "max-time nan", "max-time 0", "max-time -1", "max-time soon", "min-time 1e999",
                      "cpu-parallelism 0", "cpu-parallelism inf", "workers 0", "workers 2.5", "peak-tasks > 2",
                      "line \"x\" after -1 s", "line \"x\" after inf s", "line x after 1 s", "exclusive lock",
                      "completion-order \"Completed: [FLOAT]\" by took", "line \"[unordered]a\" after 1 s", "line \"open after 1 s",
                      "workers 4 for java", "workers 4 for"])
    func badBoundsAndFormsAreRefused(_ line: String) {
        let parsed = lesson(facts: line)
        #expect(parsed.problems.count == 1, "\(line): \(parsed.problems)")
        #expect(parsed.problems.first?.line == 14)
    }

    @Test(arguments: [
        ("min-time 3 s\nmax-time 2 s", "more than `max-time 2 s`"),
        ("max-time 40 s", "not below the time limit timeout=30"),
        ("max-time 5 s\nmax-time 3 s", "states again"),
        ("max-time 2 s\nline \"1\" after 2.5 s", "cannot hold when the whole run takes at most 2 s"),
        ("workers 2\npeak-tasks 4", "needs more workers"),
        ("exclusive\npeak-holds 2", "one holder at a time"),
        ("line \"1\" after \"1\"", "name another line"),
    ])
    func contradictionsAreRefused(_ facts: String, _ reason: String) {
        let parsed = lesson(facts: facts)
        #expect(parsed.problems.count == 1, "\(parsed.problems)")
        #expect(parsed.problems.first?.description.contains(reason) == true, "\(parsed.problems)")
        #expect(parsed.problems.first?.line == 13)
    }

    @Test func minTimeOnTheOutputBlockContradictsMaxTimeInTheFacts() {
        let parsed = lesson(facts: "max-time 2 s", output: "```output demo=t timeout=30 min-time=3")
        #expect(parsed.problems.map(\.line) == [13], "\(parsed.problems)")
    }

    @Test(arguments: ["timeout=inf", "timeout=nan", "timeout=0", "timeout=-5", "timeout=1e999"])
    func aTimeLimitMustBeFiniteAndPositive(_ option: String) {
        let parsed = lesson(facts: "", output: "```output demo=t \(option)")
        #expect(parsed.problems.count == 1, "\(option): \(parsed.problems)")
        #expect(parsed.problems.first?.description.contains("finite number of seconds > 0") == true)
    }

    @Test func aFactsBlockNamesTheDemoOfItsOutputBlock() {
        let text = "---\ntitle: t\n---\n\n```swift demo=t\nprint(1)\n```\n\n```output demo=t\n1\n```\n\n```facts demo=u\nmax-time 5 s\n```\n"
        let parsed = LessonParser.parse(text, path: "lessons/99-t.md")
        #expect(parsed.problems.count == 1, "\(parsed.problems)")
        #expect(parsed.problems.first?.line == 13)
    }
}

@Suite struct FactCheckerTests {
    typealias Span = RunEvidence.Span

    func verdict(_ fact: Fact, _ evidence: RunEvidence) -> FactChecker.Verdict { FactChecker.verdict(fact, evidence) }

    func failed(_ verdict: FactChecker.Verdict) -> String? {
        if case .failed(let why) = verdict { return why }
        return nil
    }

    @Test func maxTime() {
        #expect(verdict(.maxTime(5), RunEvidence(seconds: 2.5)) == .held)
        #expect(failed(verdict(.maxTime(3), RunEvidence(seconds: 6.1234))) == "at most 3 s expected, took 6.12 s")
    }

    @Test func aFailureNamesTheProgramAndTheFact() {
        let result = FactChecker.check([.maxTime(3), .minTime(1)], RunEvidence(seconds: 6.1), runtime: .python, title: "pool-map (Python)")
        #expect(result.failures == ["pool-map (Python): max-time 3 s: at most 3 s expected, took 6.1 s"])
        #expect(result.unchecked.isEmpty)
    }

    @Test func aFactForSomeRuntimesIsCheckedOnlyForThem() {
        let facts: [Fact] = [.only([.swift, .python], .tasks(Count(8)))]
        let none = RunEvidence(seconds: 1, tasks: [])
        #expect(FactChecker.check(facts, none, runtime: .python, title: "cpu-bound (Python)").failures.count == 1)
        #expect(FactChecker.check(facts, none, runtime: .node, title: "cpu-bound (Node.js)") == ([], []))
    }

    @Test func minTime() {
        #expect(verdict(.minTime(2.8), RunEvidence(seconds: 3.01)) == .held)
        #expect(failed(verdict(.minTime(2.8), RunEvidence(seconds: 1.02)))?.hasPrefix("at least 2.8 s expected, took 1.02 s") == true)
    }

    @Test func cpuParallelism() {
        #expect(verdict(.cpuParallelism(1.5), RunEvidence(seconds: 1, cpuSeconds: 1.9)) == .held)
        #expect(failed(verdict(.cpuParallelism(1.5), RunEvidence(seconds: 2, cpuSeconds: 2.1)))
                == "CPU time over wall time at least 1.5 expected, measured 1.05 (2.1 s of CPU in 2 s)")
        if case .unchecked = verdict(.cpuParallelism(1.5), RunEvidence(seconds: 2)) {} else { Issue.record("no CPU time: not checked") }
    }

    /// Four workers, ten tasks of 0.5 s: 4 at once (pool-map), and the serial version of it.
    var pool: [Span] {
        (0..<10).map { i in Span(owner: "w\(i % 4)", start: Double(i / 4) * 0.5, end: Double(i / 4) * 0.5 + 0.5) }
    }
    var serial: [Span] { (0..<10).map { i in Span(owner: "w0", start: Double(i) * 0.5, end: Double(i) * 0.5 + 0.5) } }

    @Test func tasks() {
        #expect(verdict(.tasks(Count(10)), RunEvidence(seconds: 2, tasks: pool)) == .held)
        #expect(failed(verdict(.tasks(Count(10)), RunEvidence(seconds: 2, tasks: []))) == "10 tasks expected to run in workers, 0 did")
        if case .unchecked = verdict(.tasks(Count(10)), RunEvidence(seconds: 2, tasks: nil)) {} else { Issue.record("no trace: not checked") }
    }

    @Test func workers() {
        #expect(verdict(.workers(Count(4)), RunEvidence(seconds: 2, tasks: pool)) == .held)
        #expect(failed(verdict(.workers(Count(4)), RunEvidence(seconds: 5, tasks: serial)))
                == "4 distinct worker processes or threads expected, 1 ran")
        let eight = pool + pool.map { Span(owner: $0.owner + "'", start: $0.start + 2, end: $0.end + 2) }
        #expect(failed(verdict(.workers(Count(4)), RunEvidence(seconds: 4, tasks: eight)))?.hasSuffix("8 ran") == true)
    }

    @Test func peakTasks() {
        #expect(verdict(.peakTasks(Count(4)), RunEvidence(seconds: 2, tasks: pool)) == .held)
        #expect(verdict(.peakTasks(Count(2, .atLeast)), RunEvidence(seconds: 2, tasks: pool)) == .held)
        #expect(failed(verdict(.peakTasks(Count(4)), RunEvidence(seconds: 5, tasks: serial)))
                == "4 tasks running at once expected, the most at once was 1")
        #expect(failed(verdict(.peakTasks(Count(2, .atLeast)), RunEvidence(seconds: 5, tasks: serial))) != nil)
    }

    /// Five holders of a Semaphore(2), one second each, and the same with no semaphore.
    var semaphore: [Span] {
        (0..<5).map { i in Span(owner: "p\(i)", resource: "sem", start: Double(i / 2), end: Double(i / 2) + 1) }
    }
    var unguarded: [Span] { (0..<5).map { i in Span(owner: "p\(i)", resource: "sem", start: 0, end: 1) } }

    @Test func peakHolds() {
        #expect(verdict(.peakHolds(Count(2)), RunEvidence(seconds: 3, holds: semaphore)) == .held)
        #expect(failed(verdict(.peakHolds(Count(2)), RunEvidence(seconds: 1, holds: unguarded)))
                == "2 holders at once expected, the most at once was 5")
        #expect(failed(verdict(.peakHolds(Count(2)), RunEvidence(seconds: 1, holds: []))) != nil, "no hold at all")
    }

    @Test func exclusive() {
        let turns = (0..<3).map { i in Span(owner: "p\(i)", resource: "lock", start: Double(i), end: Double(i) + 0.5) }
        #expect(verdict(.exclusive, RunEvidence(seconds: 3, holds: turns)) == .held)
        // Holds of two different locks may overlap.
        let twoLocks = [Span(owner: "a", resource: "x", start: 0, end: 1), Span(owner: "b", resource: "y", start: 0.5, end: 1.5)]
        #expect(verdict(.exclusive, RunEvidence(seconds: 2, holds: twoLocks)) == .held)
        let overlapping = turns + [Span(owner: "p9", resource: "lock", start: 0.25, end: 0.3)]
        #expect(failed(verdict(.exclusive, RunEvidence(seconds: 3, holds: overlapping)))
                == "holds of lock overlap: p0 held it 0–0.5 s, p9 from 0.25 s")
        #expect(failed(verdict(.exclusive, RunEvidence(seconds: 3, holds: []))) != nil, "the lock was removed")
        if case .unchecked = verdict(.exclusive, RunEvidence(seconds: 3)) {} else { Issue.record("no holds reported: not checked") }
    }

    func lines(_ pairs: [(String, Double)]) -> [RunEvidence.TimedLine] { pairs.map { RunEvidence.TimedLine($0.0, at: $0.1) } }

    @Test func lineAfterSeconds() {
        let waited = lines([("Waiter-0 waiting for event", 0.05), ("Setting event in 2 seconds...", 0.06), ("Waiter-0 event received!", 2.01)])
        let fact = Fact.lineAfterSeconds(template: "Waiter-[INT] event received!", seconds: 1.5)
        #expect(verdict(fact, RunEvidence(seconds: 2.1, lines: waited)) == .held)
        let eager = lines([("Waiter-0 waiting for event", 0.05), ("Waiter-0 event received!", 0.05), ("Setting event in 2 seconds...", 0.06)])
        #expect(failed(verdict(fact, RunEvidence(seconds: 2.1, lines: eager))) == "not before 1.5 s expected, `Waiter-0 event received!` appeared at 0.05 s")
        #expect(failed(verdict(fact, RunEvidence(seconds: 2.1, lines: []))) != nil)
    }

    @Test func lineAfterLine() {
        let fact = Fact.lineAfterLine(template: "Waiter-[INT] event received!", other: "Event set")
        #expect(verdict(fact, RunEvidence(seconds: 2.1, lines: lines([("Event set", 2.0), ("Waiter-1 event received!", 2.0)]))) == .held)
        #expect(failed(verdict(fact, RunEvidence(seconds: 2.1, lines: lines([("Waiter-1 event received!", 0.1), ("Event set", 2.0)]))))
                == "`Waiter-1 event received!` appeared at 0.1 s, before `Event set` at 2 s")
    }

    @Test func completionOrder() {
        let fact = Fact.completionOrder(template: "Completed: slept [FLOAT:took] s", key: "took")
        let completed = lines([("Completed: slept 0.5 s", 1), ("Completed: slept 1.0 s", 1), ("Completed: slept 1.5 s", 1)])
        #expect(verdict(fact, RunEvidence(seconds: 2, lines: completed)) == .held)
        let submitted = lines([("Completed: slept 1.5 s", 1), ("Completed: slept 0.5 s", 1), ("Completed: slept 1.0 s", 1)])
        #expect(failed(verdict(fact, RunEvidence(seconds: 2, lines: submitted)))
                == "the lines in ascending order of took (shortest first) expected, they came as 1.5, 0.5, 1")
    }

    @Test func valueAtLeast() {
        let fact = Fact.valueAtLeast(template: "Counter: [INT:count]", key: "count", bound: 1000)
        #expect(verdict(fact, RunEvidence(seconds: 1, lines: lines([("Counter: 3012", 1)]))) == .held)
        #expect(failed(verdict(fact, RunEvidence(seconds: 1, lines: lines([("Counter: 0", 1)])))) == "count at least 1000 expected, `Counter: 0` says 0")
    }

    @Test func workersWithoutTasksAreTheThreadsTheProgramStarted() {
        // A Node.js worker given its work in workerData: the hook reports the thread, no task.
        let trace = [
            #"{"event":"start","pid":100,"ppid":1,"name":"node","src":"observer","t":1000}"#,
            #"{"event":"thread-start","pid":100,"tid":99,"name":"node","src":"observer","t":1500}"#,
            #"{"event":"thread-start","pid":100,"tid":101,"name":"Worker 1","t":2000}"#,
            #"{"event":"thread-start","pid":100,"tid":102,"name":"Worker 2","t":2100}"#,
            #"{"event":"thread-exit","pid":100,"tid":101,"t":9000}"#,
            #"{"event":"thread-exit","pid":100,"tid":102,"t":9100}"#,
        ].joined(separator: "\n")
        let spawn = SpawnResult(stdout: "", stderr: "", termination: .exited(0), seconds: 1, timedOut: false, flooded: false)
        let evidence = RunEvidence(spawn: spawn, trace: trace, runtime: .node)
        #expect(evidence.tasks == [])
        #expect(evidence.workers?.count == 2, "\(String(describing: evidence.workers))")
        #expect(verdict(.workers(Count(2, .atLeast)), evidence) == .held)
        #expect(failed(verdict(.workers(Count(2, .atLeast)), RunEvidence(spawn: spawn, trace: trace.split(separator: "\n").prefix(2).joined(separator: "\n"), runtime: .node))) != nil)
    }

    @Test func spawnRecordsWhenEachLineArrivedAndTheCPUTime() {
        let result = Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", "echo a; sleep 0.6; echo b; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"],
                                            environment: Runner.environment(trace: nil), timeout: 10))
        #expect(result.lineSeconds.count == 2)
        #expect(result.lineSeconds[0] < 0.5)
        #expect(result.lineSeconds[1] >= 0.6)
        #expect((result.cpuSeconds ?? 0) > 0, "the shell loop used CPU")
        let evidence = RunEvidence(spawn: result, trace: "", runtime: .python)
        #expect(evidence.lines.map(\.text) == ["a", "b"])
        #expect(evidence.tasks == nil, "no trace: tasks unknown")
        #expect(evidence.holds == nil)
    }
}

@Suite(.serialized) struct QuietMachineTests {
    /// A job with a wall-time fact runs in a phase of its own: after every other job has
    /// ended, never beside one.
    @Test func aJobWithATimeFactRunsApart() {
        func job(_ name: String, _ script: String, facts: [Fact]) -> RunJob {
            RunJob(lesson: "t", demo: name, runtime: .python, executable: "/bin/sh", script: script, files: [],
                   expected: "...\n", expectedExit: 0, timeout: 10, facts: facts, outputLimit: 1 << 20)
        }
        // Each job prints the monotonic clock (seconds since boot) when it starts and ends.
        let clock = "cut -d' ' -f1 /proc/uptime"
        let busy = (0..<3).map { job("busy\($0)", "\(clock); sleep 0.4; \(clock)", facts: [.minTime(0.1)]) }
        let quiet = job("quiet", "\(clock); \(clock)", facts: [.maxTime(5)])
        #expect(quiet.needsQuietMachine && !busy[0].needsQuietMachine)
        let jobs = [quiet] + busy
        let results = ThreadScheduler(width: 4).run(jobs) { _, _ in }
        #expect(results.allSatisfy { $0.passed }, "\(results.map(\.problems))")
        let times = results.map { $0.spawn.stdout.split(separator: "\n").compactMap { Double($0) } }
        let quietStart = times[0].first ?? 0
        let busyEnds = times.dropFirst().compactMap(\.last)
        #expect(busyEnds.count == 3)
        #expect(busyEnds.allSatisfy { $0 <= quietStart }, "quiet job started at \(quietStart), others ended at \(busyEnds)")
        #expect(results.map(\.job.demo) == jobs.map(\.demo), "results stay in job order")
    }
}
