// MARK: - Formatting without allocation

/// One trace line being formatted in a fixed buffer. Appends past the end are dropped; the
/// writers size the buffer from the event (see ``TraceEvent/lineCapacity``).
struct LineWriter {
    /// Enough for any event whose strings are short (names, object ids).
    static let capacity = 512

    private let base: UnsafeMutablePointer<UInt8>
    private let limit: Int
    private(set) var count = 0

    /// Formats a line with `body` in a temporary buffer (on the stack for `capacity` bytes or
    /// fewer) and passes the bytes to `use`.
    @inline(__always)
    static func format<R>(capacity: Int = capacity, _ body: (inout LineWriter) -> Void,
                          _ use: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var line = LineWriter(base: buffer.baseAddress!, limit: capacity)
            body(&line)
            return use(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[..<line.count]))
        }
    }

    /// The line `body` formats, as text.
    static func formatted(capacity: Int = capacity, _ body: (inout LineWriter) -> Void) -> String {
        format(capacity: capacity, body) { String(decoding: $0, as: UTF8.self) }
    }

    private init(base: UnsafeMutablePointer<UInt8>, limit: Int) {
        self.base = base
        self.limit = limit
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        guard count < limit else { return }
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
        append(value.magnitude)
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: UInt64) {
        var magnitude = value
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            append(byte: UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// Appends `text` as a JSON string literal (quotes, backslashes and control characters
    /// escaped; other characters as UTF-8).
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

    /// Appends `,"key":value` for an integer.
    mutating func append(key: StaticString, _ value: Int64) {
        append(","); append(key); append(":"); append(value)
    }

    /// Appends `,"key":"text"`.
    mutating func append(key: StaticString, quoting text: String) {
        append(","); append(key); append(":"); appendQuoted(text)
    }

    /// Appends a whole event as one JSON line, newline included.
    mutating func append(_ event: TraceEvent) {
        append(#"{"event":""#)
        append(event.name)
        append(#"","pid":"#)
        append(Int64(event.pid))
        if let thread = event.thread { append(key: #""tid""#, Int64(thread)) }
        switch event.kind {
        case let .processStarted(parent, name, runtime):
            append(key: #""ppid""#, Int64(parent))
            append(key: #""name""#, quoting: name)
            if let runtime { append(key: #""runtime""#, quoting: runtime) }
        case let .processExited(code, cpu):
            if let code { append(key: #""code""#, Int64(code)) }
            if let cpu { append(#","cpu":"#); append(cpu) }
        case let .threadStarted(name):
            append(key: #""name""#, quoting: name)
        case let .threadExited(cpu):
            if let cpu { append(#","cpu":"#); append(cpu) }
        case let .taskStarted(job, index):
            append(key: #""job""#, Int64(job))
            append(key: #""task""#, Int64(index))
        case let .taskEnded(job, index, failed):
            append(key: #""job""#, Int64(job))
            append(key: #""task""#, Int64(index))
            append(failed ? #","failed":true"# : #","failed":false"#)
        case let .acquired(object, kind), let .released(object, kind):
            append(key: #""obj""#, quoting: object)
            append(key: #""kind""#, quoting: kind.rawValue)
        case let .put(queue), let .got(queue):
            append(key: #""obj""#, quoting: queue)
        }
        if event.source == .observer { append(#","src":"observer""#) }
        append(#","t":"#)
        append(event.time)
        append("}\n")
    }
}

extension TraceEvent {
    /// Bytes enough for this event's line: the fixed keys, plus six per byte of its strings
    /// (the longest escape).
    var lineCapacity: Int {
        let strings: Int = switch kind {
        case let .processStarted(_, name, runtime): name.utf8.count + (runtime?.utf8.count ?? 0)
        case let .threadStarted(name): name.utf8.count
        case let .acquired(object, kind), let .released(object, kind): object.utf8.count + kind.rawValue.utf8.count
        case let .put(queue), let .got(queue): queue.utf8.count
        default: 0
        }
        return 256 + 6 * strings
    }

    /// The event as one JSON line, ending in a newline.
    public var line: String {
        LineWriter.formatted(capacity: lineCapacity) { $0.append(self) }
    }
}
