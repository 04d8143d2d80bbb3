/// Which program of a sample runs: the Swift demo, the Python original or the Node.js twin.
public enum Runtime: String, Sendable, Codable, CaseIterable {
    /// The Swift demo binary.
    case swift
    /// The Python original, run with `python3`.
    case python
    /// The Node.js twin, run with `node`.
    case node

    /// Whether a trace of this runtime reports every hold of a lock or semaphore (the library
    /// does, and the Python hook does for `multiprocessing`'s; the Node.js twins build theirs
    /// from `Atomics`, which no hook sees).
    public var reportsHolds: Bool { self != .node }

    /// The label shown in views.
    public var label: String {
        switch self {
        case .swift: "Swift"
        case .python: "Python"
        case .node: "Node.js"
        }
    }
}

/// One program to run and check: everything needed, so it can run in another process.
public struct RunJob: Sendable, Codable {
    /// The lesson's name (`01-process`).
    public var lesson: String
    /// The demo slug.
    public var demo: String
    /// Which program.
    public var runtime: Runtime
    /// The program to start (a path, or `python3` / `node`).
    public var executable: String
    /// For Python and Node.js: the code, written to a file that is passed as the argument.
    public var script: String?
    /// Files put into the working directory first.
    public var files: [InputFile]
    /// The expected output.
    public var expected: String
    /// The exit code expected.
    public var expectedExit: Int32
    /// Seconds before the program counts as hanging.
    public var timeout: Double
    /// The behaviour facts the run must show (the output block's `min-time=` and facts block).
    public var facts: [Fact] = []
    /// The output limit in bytes.
    public var outputLimit: Int

    /// A short name: `create-process` or `create-process (Python)`.
    public var title: String { runtime == .swift ? demo : "\(demo) (\(runtime.label))" }

    /// Whether the job must have the machine to itself: a fact about wall time or CPU
    /// (`max-time`, `cpu-parallelism`) that programs running beside it could break.
    public var needsQuietMachine: Bool { facts.contains(where: \.needsQuietMachine) }
}

/// What running and checking one program found.
public struct RunResult: Sendable, Codable {
    /// The job.
    public var job: RunJob
    /// The program's output, end and time.
    public var spawn: SpawnResult
    /// Whether it passed.
    public var passed: Bool
    /// Why it failed: one line per reason (hang, crash, exit code, flood, output).
    public var problems: [String]
    /// The diff of expected against actual output (empty when the output matched).
    public var diff: String
    /// The named values captured, as text (`[PID:main] = 4242`).
    public var captures: String
    /// The trace of the run (`TraceEvent` lines of the `Multiprocessing` library): what the program wrote under
    /// `LEARN_MP_TRACE` (the Swift library, or the hook of a Python or Node.js run), then what
    /// the runner's ``ProcessObserver`` saw.
    public var trace: String
    /// The facts this run could not show, with the reason (not failures).
    public var unchecked: [String] = []
}
