import Glibc

/// Process and task events written as JSON lines to the file named by `LEARN_MP_TRACE`.
///
/// Off unless the variable is set; when off, each event costs one check of a flag read once
/// per process. Each event is one `write(2)` of one line to a file opened with `O_APPEND`, so
/// lines from many processes never interleave. Times are monotonic nanoseconds.
///
/// A line is formatted into a buffer on the stack, with no allocation: the start event runs
/// in a freshly forked child, where every heap page touched is a page copied.
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
        // Escaped, a UTF-8 byte takes at most 6 bytes; the rest of the line is under 100.
        if name.utf8.count > (LineWriter.capacity - 128) / 6 {
            emit(#"{"event":"start","pid":\#(pid),"ppid":\#(parent),"name":\#(quoted(name)),"t":\#(monotonicNanoseconds())}"#)
            return
        }
        LineWriter.write(to: descriptor) { line in
            line.append(#"{"event":"start","pid":"#)
            line.append(Int64(pid))
            line.append(#","ppid":"#)
            line.append(Int64(parent))
            line.append(#","name":"#)
            line.appendQuoted(name)
            line.append(#","t":"#)
            line.append(monotonicNanoseconds())
            line.append("}\n")
        }
    }

    /// A child was reaped by its parent, with Python's exit code (negative: killed by that signal).
    static func processExited(pid: Int32, exitCode: Int32) {
        guard isEnabled else { return }
        LineWriter.write(to: descriptor) { line in
            line.append(#"{"event":"exit","pid":"#)
            line.append(Int64(pid))
            line.append(#","code":"#)
            line.append(Int64(exitCode))
            line.append(#","t":"#)
            line.append(monotonicNanoseconds())
            line.append("}\n")
        }
    }

    /// A pool or executor worker began task `index` of job `job`.
    static func taskStarted(pid: Int32, job: Int, index: Int) {
        guard isEnabled else { return }
        taskEvent(#"{"event":"task-start","pid":"#, pid: pid, job: job, index: index, failed: nil)
    }

    /// A pool or executor worker finished task `index` of job `job`.
    static func taskEnded(pid: Int32, job: Int, index: Int, failed: Bool) {
        guard isEnabled else { return }
        taskEvent(#"{"event":"task-end","pid":"#, pid: pid, job: job, index: index, failed: failed)
    }

    /// One task line: `opening` names the event; `failed` is written when given.
    private static func taskEvent(_ opening: StaticString, pid: Int32, job: Int, index: Int, failed: Bool?) {
        LineWriter.write(to: descriptor) { line in
            line.append(opening)
            line.append(Int64(pid))
            line.append(#","job":"#)
            line.append(Int64(job))
            line.append(#","task":"#)
            line.append(Int64(index))
            if let failed {
                line.append(#","failed":"#)
                line.append(failed ? "true" : "false")
            }
            line.append(#","t":"#)
            line.append(monotonicNanoseconds())
            line.append("}\n")
        }
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

// MARK: - Formatting without allocation

/// One trace line being formatted in a fixed buffer on the stack. Appends past the end are
/// dropped (callers size their input, see `Trace.processStarted`).
struct LineWriter {
    static let capacity = 512

    private let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    /// Formats a line with `body` in a stack buffer and writes it with one `write(2)`.
    @inline(__always)
    static func write(to descriptor: Int32, _ body: (inout LineWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var line = LineWriter(base: buffer.baseAddress!)
            body(&line)
            _ = Glibc.write(descriptor, buffer.baseAddress, line.count)
        }
    }

    /// The line `body` formats, as text (for tests).
    static func formatted(_ body: (inout LineWriter) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var line = LineWriter(base: buffer.baseAddress!)
            body(&line)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<line.count]), as: UTF8.self)
        }
    }

    private init(base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        guard count < Self.capacity else { return }
        base[count] = byte
        count += 1
    }

    /// Appends literal ASCII text.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes in
            for byte in bytes { append(byte: byte) }
        }
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: Int64) {
        if value < 0 { append(byte: UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            append(byte: UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// Appends `text` as a JSON string literal, escaped as `Trace.quoted` does.
    mutating func appendQuoted(_ text: String) {
        append(byte: UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(#"\""#)
            case UInt8(ascii: "\\"): append(#"\\"#)
            case UInt8(ascii: "\n"): append(#"\n"#)
            case UInt8(ascii: "\r"): append(#"\r"#)
            case UInt8(ascii: "\t"): append(#"\t"#)
            case 0..<0x20:
                append(#"\u00"#)
                let hex: StaticString = "0123456789abcdef"
                append(byte: hex.utf8Start[Int(byte >> 4)])
                append(byte: hex.utf8Start[Int(byte & 0xf)])
            default: append(byte: byte)
            }
        }
        append(byte: UInt8(ascii: "\""))
    }
}
