/// Tracing workloads (issue 7). run.py runs each twice, with `LEARN_MP_TRACE` unset and set to
/// a file, and counts the lines written, to show tracing costs nothing when off.
enum TraceBench {
    static let workloads = [
        // The same work as process-start: two trace events per cycle when on.
        Workload(name: "trace-process") { try ProcessBench.startJoin() },
    ]
}
