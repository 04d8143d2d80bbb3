import Glibc

/// One benchmark: a name shared with the Python and Node.js sides, and the work, which ends by
/// calling ``emit(_:_:)`` once.
struct Workload: Sendable {
    let name: String
    let run: @Sendable () throws -> Void
}

/// Prints the workload's result in the format bench/run.py reads.
func emit(_ value: Double, _ unit: String) {
    print(#"{"value": \#(value), "unit": "\#(unit)"}"#)
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
