// MARK: - Reader

/// Reads traces tolerantly: a line that is not a well-formed event (a torn write, a foreign
/// line, an unknown event kind, a missing or mistyped field) is skipped, never fatal.
public enum TraceReader {
    /// The events of a whole trace text, in file order.
    public static func parse(_ text: String) -> [TraceEvent] {
        var events: [TraceEvent] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == 10 {
                if i > start, let event = parseLine(UnsafeBufferPointer(rebasing: bytes[start..<i])) {
                    events.append(event)
                }
                start = i + 1
            }
        }
        return events
    }

    /// One event from one line, or nil when the line is not a complete, known event.
    public static func parseLine<S: StringProtocol>(_ line: S) -> TraceEvent? {
        var text = String(line)
        return text.withUTF8 { parseLine($0) }
    }

    private static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>) -> TraceEvent? {
        var scanner = FlatObjectScanner(bytes: bytes)
        guard let fields = scanner.fields() else { return nil }
        guard case .string(let event)? = fields["event"], let pid = fields.int32("pid"),
              let time = fields.uint64("t") else { return nil }
        var thread: Int32?
        if fields["tid"] != nil {
            guard let tid = fields.int32("tid") else { return nil }
            thread = tid
        }
        let kind: TraceEvent.Kind
        switch event {
        case "start":
            guard let parent = fields.int32("ppid") else { return nil }
            kind = .processStarted(parent: parent, name: fields.string("name") ?? "", runtime: fields.string("runtime"))
        case "exit":
            kind = .processExited(exitCode: fields.int32("code"), cpu: fields.uint64("cpu"))
        case "thread-start":
            guard thread != nil else { return nil }
            kind = .threadStarted(name: fields.string("name") ?? "")
        case "thread-exit":
            guard thread != nil else { return nil }
            kind = .threadExited(cpu: fields.uint64("cpu"))
        case "task-start", "task-end":
            guard let job = fields.int("job"), let index = fields.int("task") else { return nil }
            if event == "task-start" {
                kind = .taskStarted(job: job, index: index)
            } else {
                guard case .bool(let failed)? = fields["failed"] ?? .bool(false) else { return nil }
                kind = .taskEnded(job: job, index: index, failed: failed)
            }
        case "acquire", "release":
            guard let object = fields.string("obj"), let holdKind = fields.string("kind") else { return nil }
            let hold = TraceEvent.HoldKind(rawValue: holdKind)
            kind = event == "acquire" ? .acquired(object: object, kind: hold) : .released(object: object, kind: hold)
        case "put", "get":
            guard let object = fields.string("obj") else { return nil }
            kind = event == "put" ? .put(queue: object) : .got(queue: object)
        default:
            return nil
        }
        let source: TraceEvent.Source = fields.string("src") == "observer" ? .observer : .program
        return TraceEvent(kind, pid: pid, thread: thread, time: time, source: source)
    }
}

// MARK: - A flat JSON object

/// A value of a flat JSON object: what trace lines hold.
enum FlatValue: Equatable {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case bool(Bool)
    case null
}

extension Dictionary where Key == String, Value == FlatValue {
    func int64(_ key: String) -> Int64? {
        switch self[key] {
        case .integer(let v)?: v
        case .unsigned(let v)? where v <= UInt64(Int64.max): Int64(v)
        default: nil
        }
    }
    func int32(_ key: String) -> Int32? { int64(key).flatMap { Int32(exactly: $0) } }
    func int(_ key: String) -> Int? { int64(key).flatMap { Int(exactly: $0) } }
    func uint64(_ key: String) -> UInt64? {
        switch self[key] {
        case .unsigned(let v)?: v
        case .integer(let v)? where v >= 0: UInt64(v)
        default: nil
        }
    }
    func string(_ key: String) -> String? {
        if case .string(let s)? = self[key] { return s }
        return nil
    }
}

/// Reads one JSON object whose values are strings, integers, booleans or null (nothing
/// nested, no fractions): exactly what a trace line is. Anything else fails the line.
struct FlatObjectScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func fields() -> [String: FlatValue]? {
        var fields: [String: FlatValue] = [:]
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if take(UInt8(ascii: "}")) { return finished() ? fields : nil }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = value() else { return nil }
            fields[key] = value
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return nil }
            return finished() ? fields : nil
        }
    }

    private mutating func finished() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    private mutating func skipSpace() {
        while index < bytes.count, [32, 9, 13].contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func take(word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { return false }
        index += count
        return true
    }

    private mutating func value() -> FlatValue? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map(FlatValue.string)
        case UInt8(ascii: "t"): return take(word: "true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return take(word: "false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return take(word: "null") ? .null : nil
        default: return number()
        }
    }

    private mutating func number() -> FlatValue? {
        let negative = take(UInt8(ascii: "-"))
        var magnitude: UInt64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[index] - 48))
            guard !o1, !o2 else { return nil }
            magnitude = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if !negative { return magnitude <= UInt64(Int64.max) ? .integer(Int64(magnitude)) : .unsigned(magnitude) }
        guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
        return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair: the low half must follow.
                        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                              (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 97...102: digit = byte - 87
            case 65...70: digit = byte - 55
            default: return nil
            }
            value = value * 16 + UInt32(digit)
        }
        return value
    }
}
