import Glibc

/// Process and task events written as JSON lines to the file named by `LEARN_MP_TRACE`.
///
/// Off unless the variable is set; when off, each event costs one check of a flag read once
/// per process. Each event is one `write(2)` of one line to a file opened with `O_APPEND`, so
/// lines from many processes never interleave. Times are monotonic nanoseconds.
enum Trace {
    /// The trace file's descriptor, or -1 when tracing is off. Read once, inherited by forks.
    nonisolated(unsafe) private static var descriptor: Int32 = {
        guard let path = getenv("LEARN_MP_TRACE"), path.pointee != 0 else { return -1 }
        return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    }()

    @inline(__always)
    static var isEnabled: Bool { descriptor >= 0 }

    /// A process began running (in the child, right after fork).
    static func processStarted(pid: Int32, parent: Int32, name: String) {
        guard isEnabled else { return }
        emit(#"{"event":"start","pid":\#(pid),"ppid":\#(parent),"name":\#(quoted(name)),"t":\#(monotonicNanoseconds())}"#)
    }

    /// A child was reaped by its parent, with Python's exit code (negative: killed by that signal).
    static func processExited(pid: Int32, exitCode: Int32) {
        guard isEnabled else { return }
        emit(#"{"event":"exit","pid":\#(pid),"code":\#(exitCode),"t":\#(monotonicNanoseconds())}"#)
    }

    /// A pool or executor worker began task `index` of job `job`.
    static func taskStarted(pid: Int32, job: Int, index: Int) {
        guard isEnabled else { return }
        emit(#"{"event":"task-start","pid":\#(pid),"job":\#(job),"task":\#(index),"t":\#(monotonicNanoseconds())}"#)
    }

    /// A pool or executor worker finished task `index` of job `job`.
    static func taskEnded(pid: Int32, job: Int, index: Int, failed: Bool) {
        guard isEnabled else { return }
        emit(#"{"event":"task-end","pid":\#(pid),"job":\#(job),"task":\#(index),"failed":\#(failed),"t":\#(monotonicNanoseconds())}"#)
    }

    private static func emit(_ line: String) {
        var line = line + "\n"
        line.withUTF8 { bytes in _ = write(descriptor, bytes.baseAddress, bytes.count) }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
