/// One expected line: literal text with placeholders.
///
/// `[..]` matches any text; `[INT]`, `[FLOAT]`, `[PID]` match a number of that kind; a name
/// after a colon (`[PID:main]`) captures the value, and every use of the name must see the same
/// value. Any other bracketed text (`[0, 1, 4]`) is literal.
public struct LineTemplate: Sendable, Equatable {
    /// A piece of a template.
    public enum Token: Sendable, Equatable {
        /// Literal UTF-8 text.
        case literal([UInt8])
        /// `[..]`: any text, possibly empty.
        case any
        /// A typed placeholder, with its capture name.
        case value(Kind, name: String?)
    }

    /// The kind of value a placeholder matches.
    public enum Kind: String, Sendable {
        /// `[INT]`: an optional minus sign and digits.
        case int = "INT"
        /// `[FLOAT]`: a decimal number, optionally with a fraction and exponent.
        case float = "FLOAT"
        /// `[PID]`: a positive process id.
        case pid = "PID"
    }

    /// The tokens.
    public var tokens: [Token]
    /// The text the template was read from.
    public var text: String

    /// Reads a template from one expected line.
    public init(_ text: String) {
        self.text = text
        var tokens: [Token] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")),
               let token = LineTemplate.placeholder(String(decoding: bytes[(index + 1)..<close], as: UTF8.self)) {
                if !literal.isEmpty { tokens.append(.literal(literal)); literal = [] }
                tokens.append(token)
                index = close + 1
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { tokens.append(.literal(literal)) }
        self.tokens = tokens
    }

    private static func placeholder(_ inner: String) -> Token? {
        if inner == ".." { return .any }
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = Kind(rawValue: String(parts[0])) else { return nil }
        if parts.count == 1 { return .value(kind, name: nil) }
        let name = String(parts[1])
        guard !name.isEmpty, name.utf8.allSatisfy({ isWordByte($0) }) else { return nil }
        return .value(kind, name: name)
    }

    /// Whether the template has no placeholders.
    public var isLiteral: Bool { tokens.allSatisfy { if case .literal = $0 { true } else { false } } }

    // MARK: - Matching

    /// Matches `line` (UTF-8) given the values captured so far.
    ///
    /// - Returns: the captures extended with this line's named values, or nil when the line
    ///   does not match (or a named value disagrees with an earlier capture).
    public func match(_ line: [UInt8], captures: Captures) -> Captures? {
        var captures = captures
        var failed = Set<String>()
        return match(tokenIndex: 0, line: line, position: 0, captures: &captures, failed: &failed) ? captures : nil
    }

    /// Matches `line` as text.
    public func match(_ line: String, captures: Captures = Captures()) -> Captures? {
        match(Array(line.utf8), captures: captures)
    }

    /// `failed` remembers the (token, position, captures) states after a wildcard that did not
    /// match, so each is tried once: `[..]a[..]a…b` against a long line of `a`s stays
    /// polynomial instead of trying every way to split the line.
    private func match(tokenIndex: Int, line: [UInt8], position: Int, captures: inout Captures,
                       failed: inout Set<String>) -> Bool {
        guard tokenIndex < tokens.count else { return position == line.count }
        switch tokens[tokenIndex] {
        case .literal(let text):
            guard line.count - position >= text.count else { return false }
            for offset in 0..<text.count where line[position + offset] != text[offset] { return false }
            return match(tokenIndex: tokenIndex + 1, line: line, position: position + text.count, captures: &captures, failed: &failed)
        case .any:
            if tokenIndex + 1 == tokens.count { return true }
            var start = position
            while start <= line.count {
                let key = "\(tokenIndex + 1)|\(start)|\(captures.key)"
                if !failed.contains(key) {
                    var attempt = captures
                    if match(tokenIndex: tokenIndex + 1, line: line, position: start, captures: &attempt, failed: &failed) {
                        captures = attempt
                        return true
                    }
                    failed.insert(key)
                }
                start += 1
            }
            return false
        case .value(let kind, let name):
            guard let end = LineTemplate.scan(kind, line, position) else { return false }
            if let name {
                let value = String(decoding: line[position..<end], as: UTF8.self)
                if let existing = captures[name] {
                    guard existing == value else { return false }
                    return match(tokenIndex: tokenIndex + 1, line: line, position: end, captures: &captures, failed: &failed)
                }
                captures.bind(name, kind: kind, value: value)
            }
            return match(tokenIndex: tokenIndex + 1, line: line, position: end, captures: &captures, failed: &failed)
        }
    }

    /// The end of the longest number of `kind` at `start`, or nil when there is none.
    static func scan(_ kind: Kind, _ line: [UInt8], _ start: Int) -> Int? {
        var index = start
        func digits() -> Int {
            let begin = index
            while index < line.count, isDigit(line[index]) { index += 1 }
            return index - begin
        }
        switch kind {
        case .pid:
            guard index < line.count, line[index] != UInt8(ascii: "0"), digits() > 0 else { return nil }
        case .int:
            if index < line.count, line[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        case .float:
            if index < line.count, line[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
            if index + 1 < line.count, line[index] == UInt8(ascii: "."), isDigit(line[index + 1]) {
                index += 1
                _ = digits()
            }
            if index + 1 < line.count, line[index] == UInt8(ascii: "e") || line[index] == UInt8(ascii: "E") {
                let mark = index
                index += 1
                if index < line.count, line[index] == UInt8(ascii: "-") || line[index] == UInt8(ascii: "+") { index += 1 }
                if digits() == 0 { index = mark }
            }
        }
        // A number is taken whole: `[INT]` never matches part of `123abc`'s digits only.
        if index < line.count, isDigit(line[index]) { return nil }
        return index
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) func isWordByte(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95 || byte == 45
}

// MARK: - Captures

/// Named values captured while matching (`[PID:main]` → `main = 4242`), in capture order.
public struct Captures: Sendable, Equatable, CustomStringConvertible {
    /// The captures as (name, kind, value), in the order they were first seen.
    public private(set) var values: [(name: String, kind: LineTemplate.Kind, value: String)] = []

    /// No captures.
    public init() {}

    /// The value captured as `name`.
    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    mutating func bind(_ name: String, kind: LineTemplate.Kind, value: String) {
        values.append((name, kind, value))
    }

    /// A stable key for memoising search states.
    var key: String { values.map { $0.name + "=" + $0.value }.sorted().joined(separator: ";") }

    public var description: String {
        values.map { "[\($0.kind.rawValue):\($0.name)] = \($0.value)" }.joined(separator: ", ")
    }

    public static func == (lhs: Captures, rhs: Captures) -> Bool { lhs.key == rhs.key }
}
