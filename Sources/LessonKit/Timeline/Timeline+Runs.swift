import Multiprocessing

// MARK: - Timelines of runs

extension Runtime {
    /// What a program of this runtime calls its main process: Python's and the library's
    /// `MainProcess`; Node.js has no name for it.
    public var mainProcessName: String { self == .node ? "main" : "MainProcess" }
}

extension Timeline {
    /// The timeline of a checked run, its main process named as its runtime names it.
    public init(result: RunResult) {
        self.init(trace: result.trace, mainName: result.job.runtime.mainProcessName)
    }

    /// The timeline of a recorded run of `runtime`.
    public init(record: DemoRunRecord, runtime: Runtime) {
        self.init(trace: record.trace ?? "", mainName: runtime.mainProcessName)
    }
}
