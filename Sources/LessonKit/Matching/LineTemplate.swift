/// One expected line: literal text with placeholders.
///
/// `[..]` matches any text; `[INT]`, `[FLOAT]`, `[PID]` match a number of that kind; a name
/// after a colon (`[PID:main]`) captures the value, and every use of the name must see the same
/// value. `[INT:+made]` adds the value to the set `made`, `[INT:in made]` requires it to be in
/// that set (checked once the whole output matched); a field after a dot (`[INT:+made.item]`)
/// makes the placeholders of one line a tuple. `[unordered]a, b, c[/unordered]` matches the
/// comma-separated items in any order; `[unordered:name]` makes every list of that name use the
/// same order. Any other bracketed text (`[0, 1, 4]`) is literal.
public struct LineTemplate: Sendable, Equatable {
    /// A piece of a template.
    public enum Token: Sendable, Equatable {
        /// Literal UTF-8 text.
        case literal([UInt8])
        /// `[..]`: any text, possibly empty.
        case any
        /// A typed placeholder, with its capture name.
        case value(Kind, name: String?)
        /// A typed placeholder that adds to a set or must be in one: `[INT:+made.item]`,
        /// `[INT:in made.item]`.
        case setValue(Kind, SetReference)
        /// `[unordered]…[/unordered]` inside a line: the items, in any order (named: the same
        /// order as every other list of that name).
        case unorderedItems([LineTemplate], name: String?)
    }

    /// A placeholder's use of a value set.
    public struct SetReference: Sendable, Equatable {
        /// `+`: the value is added; `in`: the value must have been added by some line.
        public enum Use: Sendable, Equatable { case add, member }
        /// Adds or looks up.
        public var use: Use
        /// The set's name.
        public var set: String
        /// The field of the line's tuple (empty: the value alone).
        public var field: String
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
    /// What is wrong with the template (an unclosed inline `[unordered]`, a set placeholder
    /// mixing `+` and `in` for one set), or nil.
    public var problem: String?

    /// Reads a template from one expected line.
    public init(_ text: String) {
        self.text = text
        var tokens: [Token] = []
        var literal: [UInt8] = []
        var problem: String?
        let bytes = Array(text.utf8)
        var index = 0
        func flush() { if !literal.isEmpty { tokens.append(.literal(literal)); literal = [] } }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), let opening = LineTemplate.unorderedOpening(bytes, index) {
                guard let closing = LineTemplate.unorderedClosing(bytes, opening.end) else {
                    problem = problem ?? "an inline [unordered] is never closed; end its items with [/unordered] on the same line"
                    literal.append(bytes[index])
                    index += 1
                    continue
                }
                flush()
                let items = LineTemplate.splitItems(Array(bytes[opening.end..<closing]))
                let templates = items.map { LineTemplate(String(decoding: $0, as: UTF8.self)) }
                problem = problem ?? templates.lazy.compactMap(\.problem).first
                tokens.append(.unorderedItems(templates, name: opening.name))
                index = closing + LineTemplate.closingMarker.count
            } else if bytes[index] == UInt8(ascii: "["), let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")),
               let token = LineTemplate.placeholder(String(decoding: bytes[(index + 1)..<close], as: UTF8.self)) {
                flush()
                tokens.append(token)
                index = close + 1
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        flush()
        self.tokens = tokens
        var uses: [String: SetReference.Use] = [:]
        for case .setValue(_, let reference) in tokens {
            if let use = uses[reference.set], use != reference.use {
                problem = problem ?? "[..:+\(reference.set)] and [..:in \(reference.set)] on one line; a line either adds to a set or looks values up in it"
            }
            uses[reference.set] = reference.use
        }
        self.problem = problem
    }

    private static func placeholder(_ inner: String) -> Token? {
        if inner == ".." { return .any }
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = Kind(rawValue: String(parts[0])) else { return nil }
        if parts.count == 1 { return .value(kind, name: nil) }
        var name = Substring(parts[1])
        var use: SetReference.Use?
        if name.hasPrefix("+") {
            use = .add
            name = name.dropFirst()
        } else if name.hasPrefix("in ") {
            use = .member
            name = name.dropFirst(3)
        }
        func isName(_ text: Substring) -> Bool { !text.isEmpty && text.utf8.allSatisfy { isWordByte($0) } }
        guard let use else {
            return isName(name) ? .value(kind, name: String(name)) : nil
        }
        let pieces = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard isName(pieces[0]), pieces.count == 1 || isName(pieces[1]) else { return nil }
        return .setValue(kind, SetReference(use: use, set: String(pieces[0]), field: pieces.count == 2 ? String(pieces[1]) : ""))
    }

    // MARK: - Inline [unordered]

    static let closingMarker = Array("[/unordered]".utf8)
    private static let openingMarker = Array("[unordered".utf8)

    /// `[unordered]` or `[unordered:name]` at `index`: the name and the index after the marker.
    private static func unorderedOpening(_ bytes: [UInt8], _ index: Int) -> (name: String?, end: Int)? {
        guard bytes.count - index >= openingMarker.count + 1,
              Array(bytes[index..<(index + openingMarker.count)]) == openingMarker else { return nil }
        let after = index + openingMarker.count
        if bytes[after] == UInt8(ascii: "]") { return (nil, after + 1) }
        guard bytes[after] == UInt8(ascii: ":"), let close = bytes[after...].firstIndex(of: UInt8(ascii: "]")),
              close > after + 1, bytes[(after + 1)..<close].allSatisfy({ isWordByte($0) }) else { return nil }
        return (String(decoding: bytes[(after + 1)..<close], as: UTF8.self), close + 1)
    }

    /// The index of the `[/unordered]` that closes an inline list starting at `start` (nested lists counted).
    private static func unorderedClosing(_ bytes: [UInt8], _ start: Int) -> Int? {
        var depth = 0
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), let opening = unorderedOpening(bytes, index) {
                depth += 1
                index = opening.end
            } else if bytes.count - index >= closingMarker.count, Array(bytes[index..<(index + closingMarker.count)]) == closingMarker {
                if depth == 0 { return index }
                depth -= 1
                index += closingMarker.count
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Splits expected items at `, ` outside brackets (`(`, `[`, `{`) and quotes, so
    /// `[1, 2], 'a, b'` is two items.
    private static func splitItems(_ bytes: [UInt8]) -> [[UInt8]] {
        if bytes.isEmpty { return [] }
        var items: [[UInt8]] = []
        var depth = 0
        var start = 0
        var index = 0
        var quote: UInt8?
        while index < bytes.count {
            if let open = quote {
                if bytes[index] == UInt8(ascii: "\\") { index += 1 } else if bytes[index] == open { quote = nil }
                index += 1
                continue
            }
            switch bytes[index] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = bytes[index]
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: ",") where depth == 0 && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: " "):
                items.append(Array(bytes[start..<index]))
                start = index + 2
                index += 1
            default: break
            }
            index += 1
        }
        items.append(Array(bytes[start...]))
        return items
    }

    /// The output's items from `start`: up to `count` items separated by `, ` outside brackets
    /// and quotes, ending at the first unbalanced closing bracket or the end of the line.
    static func outputItems(_ line: [UInt8], from start: Int, count: Int) -> [Range<Int>]? {
        if count == 0 { return [] }
        var items: [Range<Int>] = []
        var itemStart = start
        var depth = 0
        var quote: UInt8?
        var index = start
        scan: while index < line.count {
            let byte = line[index]
            if let open = quote {
                if byte == UInt8(ascii: "\\") { index += 2; continue }
                if byte == open { quote = nil }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { break scan }
                depth -= 1
            case UInt8(ascii: ",") where depth == 0 && index + 1 < line.count && line[index + 1] == UInt8(ascii: " "):
                items.append(itemStart..<index)
                if items.count == count { return items }
                itemStart = index + 2
                index += 2
                continue
            default: break
            }
            index += 1
        }
        items.append(itemStart..<min(index, line.count))
        return items.count == count ? items : nil
    }

    /// Whether the template has no placeholders.
    public var isLiteral: Bool { tokens.allSatisfy { if case .literal = $0 { true } else { false } } }

    // MARK: - Matching

    /// Matches `line` (UTF-8) given the values captured so far.
    ///
    /// - Returns: the captures extended with this line's named values (and its set additions
    ///   and set look-ups), or nil when the line does not match (or a named value disagrees
    ///   with an earlier capture).
    public func match(_ line: [UInt8], captures: Captures) -> Captures? {
        var captures = captures
        var failed = Set<String>()
        guard match(tokenIndex: 0, line: line, position: 0, end: line.count, captures: &captures, failed: &failed) else { return nil }
        captures.finishLine(String(decoding: line, as: UTF8.self))
        return captures
    }

    /// Matches `line` as text.
    public func match(_ line: String, captures: Captures = Captures()) -> Captures? {
        match(Array(line.utf8), captures: captures)
    }

    /// Matches the tokens from `tokenIndex` on against `line[position..<end]`.
    ///
    /// `failed` remembers the (token, position, captures) states after a wildcard that did not
    /// match, so each is tried once: `[..]a[..]a…b` against a long line of `a`s stays
    /// polynomial instead of trying every way to split the line.
    private func match(tokenIndex: Int, line: [UInt8], position: Int, end: Int, captures: inout Captures,
                       failed: inout Set<String>) -> Bool {
        guard tokenIndex < tokens.count else { return position == end }
        switch tokens[tokenIndex] {
        case .literal(let text):
            guard end - position >= text.count else { return false }
            for offset in 0..<text.count where line[position + offset] != text[offset] { return false }
            return match(tokenIndex: tokenIndex + 1, line: line, position: position + text.count, end: end, captures: &captures, failed: &failed)
        case .any:
            if tokenIndex + 1 == tokens.count { return true }
            var start = position
            while start <= end {
                let key = "\(tokenIndex + 1)|\(start)|\(end)|\(captures.key)|\(captures.pending.map { "\($0.0)=\($0.1)" })"
                if !failed.contains(key) {
                    var attempt = captures
                    if match(tokenIndex: tokenIndex + 1, line: line, position: start, end: end, captures: &attempt, failed: &failed) {
                        captures = attempt
                        return true
                    }
                    failed.insert(key)
                }
                start += 1
            }
            return false
        case .value(let kind, let name):
            guard let stop = LineTemplate.scan(kind, line, position, end) else { return false }
            if let name {
                let value = String(decoding: line[position..<stop], as: UTF8.self)
                if let existing = captures[name] {
                    guard existing == value else { return false }
                } else {
                    captures.bind(name, kind: kind, value: value)
                }
            }
            return match(tokenIndex: tokenIndex + 1, line: line, position: stop, end: end, captures: &captures, failed: &failed)
        case .setValue(let kind, let reference):
            guard let stop = LineTemplate.scan(kind, line, position, end) else { return false }
            captures.pending.append((reference, String(decoding: line[position..<stop], as: UTF8.self)))
            return match(tokenIndex: tokenIndex + 1, line: line, position: stop, end: end, captures: &captures, failed: &failed)
        case .unorderedItems(let templates, let name):
            guard let items = LineTemplate.outputItems(Array(line[position..<end]), from: 0, count: templates.count) else { return false }
            let ranges = items.map { (position + $0.lowerBound)..<(position + $0.upperBound) }
            let stop = ranges.last?.upperBound ?? position
            let required = name.flatMap { captures.orders[$0] }
            var order: [Int] = []
            var used = [Bool](repeating: false, count: templates.count)
            // Item k of the output takes one unused template; then the rest of the line.
            func assign(_ k: Int, _ captures: inout Captures) -> Bool {
                if k == ranges.count {
                    var attempt = captures
                    if let name, required == nil { attempt.orders[name] = order }
                    guard match(tokenIndex: tokenIndex + 1, line: line, position: stop, end: end, captures: &attempt, failed: &failed) else { return false }
                    captures = attempt
                    return true
                }
                var tried = Set<String>()
                for index in templates.indices where !used[index] {
                    if let required, required[k] != index { continue }
                    // Identical items are interchangeable (unless a named order fixes them): try one.
                    guard required != nil || name != nil || tried.insert(templates[index].text).inserted else { continue }
                    var attempt = captures
                    var itemFailed = Set<String>()
                    guard templates[index].match(tokenIndex: 0, line: line, position: ranges[k].lowerBound,
                                                 end: ranges[k].upperBound, captures: &attempt, failed: &itemFailed) else { continue }
                    used[index] = true
                    order.append(index)
                    let found = assign(k + 1, &attempt)
                    order.removeLast()
                    used[index] = false
                    if found {
                        captures = attempt
                        return true
                    }
                }
                return false
            }
            if let required, required.count != templates.count { return false }
            return assign(0, &captures)
        }
    }

    /// The end of the longest number of `kind` at `start`, or nil when there is none.
    static func scan(_ kind: Kind, _ line: [UInt8], _ start: Int, _ end: Int? = nil) -> Int? {
        let limit = end ?? line.count
        var index = start
        func digits() -> Int {
            let begin = index
            while index < limit, isDigit(line[index]) { index += 1 }
            return index - begin
        }
        switch kind {
        case .pid:
            guard index < limit, line[index] != UInt8(ascii: "0"), digits() > 0 else { return nil }
        case .int:
            if index < limit, line[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        case .float:
            if index < limit, line[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
            if index + 1 < limit, line[index] == UInt8(ascii: "."), isDigit(line[index + 1]) {
                index += 1
                _ = digits()
            }
            if index + 1 < limit, line[index] == UInt8(ascii: "e") || line[index] == UInt8(ascii: "E") {
                let mark = index
                index += 1
                if index < limit, line[index] == UInt8(ascii: "-") || line[index] == UInt8(ascii: "+") { index += 1 }
                if digits() == 0 { index = mark }
            }
        }
        // A number is taken whole: `[INT]` never matches part of `123abc`'s digits only.
        if index < limit, isDigit(line[index]) { return nil }
        return index
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) func isWordByte(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95 || byte == 45
}

// MARK: - Captures

/// Named values captured while matching (`[PID:main]` → `main = 4242`), in capture order; the
/// value sets (`[INT:+made]`), the look-ups still to check (`[INT:in made]`) and the orders of
/// named inline lists (`[unordered:name]`).
public struct Captures: Sendable, Equatable, CustomStringConvertible {
    /// The captures as (name, kind, value), in the order they were first seen.
    public private(set) var values: [(name: String, kind: LineTemplate.Kind, value: String)] = []
    /// The sets: each element is a tuple, field → value (field "" for a lone value).
    public private(set) var sets: [String: Set<[String: String]>] = [:]
    /// The look-ups: set name, the tuple's fields, and the output line that asked.
    public private(set) var lookups: [Lookup] = []
    /// The orders of named inline `[unordered:name]` lists: the item index at each position.
    var orders: [String: [Int]] = [:]
    /// The set values of the line being matched.
    var pending: [(LineTemplate.SetReference, String)] = []

    /// A `[..:in set]` look-up, checked when the whole output has matched.
    public struct Lookup: Sendable, Hashable {
        /// The set.
        public var set: String
        /// field → value (field "" for a lone value).
        public var fields: [String: String]
        /// The output line.
        public var line: String
    }

    /// No captures.
    public init() {}

    /// The value captured as `name`.
    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    mutating func bind(_ name: String, kind: LineTemplate.Kind, value: String) {
        values.append((name, kind, value))
    }

    /// Turns the set values of a matched line into one tuple per set.
    mutating func finishLine(_ line: String) {
        guard !pending.isEmpty else { return }
        var tuples: [String: (use: LineTemplate.SetReference.Use, fields: [String: String])] = [:]
        for (reference, value) in pending {
            tuples[reference.set, default: (reference.use, [:])].fields[reference.field] = value
        }
        pending = []
        for (set, tuple) in tuples {
            switch tuple.use {
            case .add: sets[set, default: []].insert(tuple.fields)
            case .member: lookups.append(Lookup(set: set, fields: tuple.fields, line: line))
            }
        }
    }

    static func tupleText(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { $0.key.isEmpty ? $0.value : "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The first look-up whose tuple no line added to its set, described; nil when all are found.
    public var unmetLookup: String? {
        for lookup in lookups {
            let members = sets[lookup.set] ?? []
            let found = members.contains { element in lookup.fields.allSatisfy { element[$0.key] == $0.value } }
            if !found {
                let wanted = Captures.tupleText(lookup.fields)
                return "`\(lookup.line)` looks up \(wanted) in the set \(lookup.set), but no line added it with [..:+\(lookup.set)] (the set holds \(members.count) value\(members.count == 1 ? "" : "s"))"
            }
        }
        return nil
    }

    /// A stable key for memoising search states.
    var key: String {
        var key = values.map { $0.name + "=" + $0.value }.sorted().joined(separator: ";")
        if !sets.isEmpty || !lookups.isEmpty || !orders.isEmpty {
            key += "|" + sets.sorted { $0.key < $1.key }.map { $0.key + ":" + $0.value.map(Captures.tupleText).sorted().joined(separator: "/") }.joined(separator: ";")
            key += "|" + lookups.map { $0.set + ":" + Captures.tupleText($0.fields) }.sorted().joined(separator: ";")
            key += "|" + orders.sorted { $0.key < $1.key }.map { $0.key + ":" + $0.value.map(String.init).joined(separator: ",") }.joined(separator: ";")
        }
        return key
    }

    public var description: String {
        var parts = values.map { "[\($0.kind.rawValue):\($0.name)] = \($0.value)" }
        for (set, members) in sets.sorted(by: { $0.key < $1.key }) {
            parts.append("\(set) = {\(members.map(Captures.tupleText).sorted().joined(separator: "; "))}")
        }
        return parts.joined(separator: ", ")
    }

    public static func == (lhs: Captures, rhs: Captures) -> Bool { lhs.key == rhs.key }
}
