import Glibc
import Multiprocessing

/// One benchmark: a name shared with the Python and Node.js sides, and the work, which ends by
/// calling ``emit(_:_:)`` once.
struct Workload: Sendable {
    let name: String
    let run: @Sendable () throws -> Void
}

/// Prints the workload's result in the format bench/run.py reads; `detail` (numbers by name)
/// is kept in the JSON results beside the value.
func emit(_ value: Double, _ unit: String, detail: KeyValuePairs<String, Double> = [:]) {
    let extra = detail.map { #""\#($0.key)": \#($0.value)"# }.joined(separator: ", ")
    let tail = extra.isEmpty ? "" : #", "detail": {\#(extra)}"#
    print(#"{"value": \#(value), "unit": "\#(unit)"\#(tail)}"#)
    fflush(nil)
}

/// Monotonic time in seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A failed self-check of a workload's result: the numbers are not reported then.
struct BenchCheckFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Throws unless `condition` holds, so a wrong result never produces a number.
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw BenchCheckFailed(message()) }
}

/// Writes one line to standard error.
func printError(_ text: String) {
    fflush(nil)
    var line = text + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// Starts `child` in a child process, runs `afterStart` (say, to close the parent's copy of a
/// descriptor), releases the child through an `Event` and times `receive` in the parent.
/// Returns the seconds; throws if the child failed.
func released(
    _ child: @escaping () throws -> Void, afterStart: () throws -> Void = {}, receive: () throws -> Void
) throws -> Double {
    let go = try Event()
    let process = Process {
        _ = go.wait()
        try child()
    }
    try process.start()
    try afterStart()
    let t0 = now()
    go.set()
    try receive()
    let elapsed = now() - t0
    try process.join()
    try check(process.exitCode == 0, "the child failed")
    return elapsed
}
