import Testing
@testable import Multiprocessing

// MARK: - Helpers

/// A small deterministic generator, so a failing case can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
    try bytes.withUnsafeBytes { try BinaryCodec.decode(type, from: $0) }
}

func roundTrip<T: Codable>(_ value: T) throws -> T {
    try decode(T.self, try BinaryCodec.encode(value))
}

struct Point: Codable, Equatable { var x: Int; var y: Double; var label: String? }

struct Everything: Codable, Equatable {
    var flag: Bool
    var small: Int8
    var medium: Int16
    var word: Int32
    var wide: Int64
    var byte: UInt8
    var unsigned: UInt
    var u16: UInt16
    var u32: UInt32
    var u64: UInt64
    var float: Float
    var double: Double
    var text: String
    var bytes: [UInt8]
    var ints: [Int]
    var doubles: [Double]
    var strings: [String]
    var optional: Int?
    var missing: String?
    var points: [Point]
    var table: [String: Int]
    var numbered: [Int: String]
    var oddKeys: [Double: Bool]
    var tags: Set<String>
    var nested: [[Int32]]
    var maybeList: [Int?]
}

enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rectangle(Double, Double)
    case named(String, sides: Int)
    case empty
}

enum Color: String, Codable { case red, green }

indirect enum List: Codable, Equatable {
    case end
    case node(Int, List)
    static func of(length: Int) -> List {
        var list = List.end
        for value in 0..<length { list = .node(value, list) }
        return list
    }
}

class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
}

final class Dog: Animal {
    var barks: Int
    init(name: String, barks: Int) {
        self.barks = barks
        super.init(name: name)
    }
    enum CodingKeys: String, CodingKey { case barks }
    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        barks = try container.decode(Int.self, forKey: .barks)
        try super.init(from: container.superDecoder())
    }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(barks, forKey: .barks)
        try super.encode(to: container.superEncoder())
    }
}

/// Writes through nested containers and reads its keys in another order.
struct Custom: Codable, Equatable {
    var values: [Int]
    var inner: Point
    enum Keys: String, CodingKey { case values, inner, extra }
    enum InnerKeys: String, CodingKey { case a, b }
    init(values: [Int], inner: Point) { self.values = values; self.inner = inner }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var list = container.nestedUnkeyedContainer(forKey: .values)
        var extra = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .extra)
        try container.encode(inner, forKey: .inner)
        for value in values { try list.encode(value) }  // written after the parent moved on
        try extra.encode(1, forKey: .a)
    }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        inner = try container.decode(Point.self, forKey: .inner)
        let extra = try container.nestedContainer(keyedBy: InnerKeys.self, forKey: .extra)
        #expect(try extra.decode(Int.self, forKey: .a) == 1)
        #expect(!extra.contains(.b))
        var list = try container.nestedUnkeyedContainer(forKey: .values)
        var read: [Int] = []
        while !list.isAtEnd { read.append(try list.decode(Int.self)) }
        values = read
    }
}

struct Empty: Codable, Equatable {}

/// Reads and writes an unkeyed container element by element, with the concrete methods.
struct Pair: Codable, Equatable {
    var flag: Bool
    var name: String
    init(flag: Bool, name: String) { self.flag = flag; self.name = name }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(flag)
        try container.encode(name)
    }
    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        flag = try container.decode(Bool.self)
        name = try container.decode(String.self)
        #expect(container.isAtEnd)
    }
}

// MARK: - Round trips

@Suite("BinaryCodec")
struct CodecTests {
    @Test func scalarsRoundTripOverRandomValues() throws {
        var rng = SplitMix(seed: 1)
        for _ in 0..<2000 {
            let int = Int(truncatingIfNeeded: rng.next() >> (rng.next() % 64))
            let signedInt = Bool.random(using: &rng) ? int : -int
            #expect(try roundTrip(signedInt) == signedInt)
            #expect(try roundTrip(Int32(truncatingIfNeeded: signedInt)) == Int32(truncatingIfNeeded: signedInt))
            #expect(try roundTrip(Int64(signedInt)) == Int64(signedInt))
            #expect(try roundTrip(UInt8(truncatingIfNeeded: int)) == UInt8(truncatingIfNeeded: int))
            let unsigned = rng.next()
            #expect(try roundTrip(unsigned) == unsigned)
            let double = Double(bitPattern: rng.next())
            let back = try roundTrip(double)
            #expect(back.bitPattern == double.bitPattern)
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            #expect(try roundTrip(float).bitPattern == float.bitPattern)
            let flag = Bool.random(using: &rng)
            #expect(try roundTrip(flag) == flag)
        }
        for edge in [Int.min, Int.max, 0, -1, 1, 63, 64, -64, -65] { #expect(try roundTrip(edge) == edge) }
        #expect(try roundTrip(UInt64.max) == UInt64.max)
        #expect(try roundTrip(Int8.min) == Int8.min)
    }

    @Test func stringsAndArraysRoundTrip() throws {
        var rng = SplitMix(seed: 2)
        let alphabet = Array("aé中🙂 \n\0xyz")
        for length in 0..<200 {
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(try roundTrip(text) == text)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(try roundTrip(bytes) == bytes)
            let ints = (0..<length).map { _ in Int(bitPattern: UInt(rng.next())) }
            #expect(try roundTrip(ints) == ints)
            #expect(try roundTrip(ints.map(Int64.init)) == ints.map(Int64.init))
            let doubles = (0..<length).map { _ in Double(rng.next() % 1000) / 7 }
            #expect(try roundTrip(doubles) == doubles)
            let strings = (0..<length % 20).map { _ in text }
            #expect(try roundTrip(strings) == strings)
            let small = ints.map { Int32(truncatingIfNeeded: $0) }
            #expect(try roundTrip(small) == small)
            #expect(try roundTrip(ints.map { $0 % 2 == 0 }) == ints.map { $0 % 2 == 0 })
        }
    }

    @Test func structsEnumsClassesAndCollectionsRoundTrip() throws {
        let value = Everything(
            flag: true, small: -8, medium: 300, word: -70000, wide: .min, byte: 255, unsigned: .max,
            u16: 65535, u32: 7, u64: .max, float: 1.5, double: -.infinity, text: "héllo",
            bytes: [0, 1, 255], ints: [1, -2, 3], doubles: [0.5, .pi], strings: ["a", "", "ç"],
            optional: 5, missing: nil,
            points: [Point(x: 1, y: 2, label: nil), Point(x: -3, y: 4.25, label: "p")],
            table: ["one": 1, "two": 2], numbered: [1: "a", -7: "b"], oddKeys: [1.5: true, -2: false],
            tags: ["x", "y"], nested: [[1, 2], [], [3]], maybeList: [1, nil, 3])
        #expect(try roundTrip(value) == value)
        #expect(try roundTrip([value, value]) == [value, value])

        let shapes: [Shape] = [.circle(radius: 2), .rectangle(3, 4), .named("hex", sides: 6), .empty]
        #expect(try roundTrip(shapes) == shapes)
        #expect(try roundTrip(Color.green) == .green)
        #expect(try roundTrip(List.of(length: 100)) == List.of(length: 100))
        #expect(try roundTrip(Empty()) == Empty())
        #expect(try roundTrip([Pair(flag: true, name: "x"), Pair(flag: false, name: "")]) == [Pair(flag: true, name: "x"), Pair(flag: false, name: "")])
        #expect(try roundTrip(Optional<Int>.none) == nil)
        #expect(try roundTrip(Optional(Optional(3))) == 3)
        #expect(try roundTrip(Custom(values: [4, 5, 6], inner: Point(x: 1, y: 1, label: "i")))
            == Custom(values: [4, 5, 6], inner: Point(x: 1, y: 1, label: "i")))

        let dog = try roundTrip(Dog(name: "Rex", barks: 3))
        #expect(dog.name == "Rex")
        #expect(dog.barks == 3)
    }

    @Test func randomStructsRoundTrip() throws {
        var rng = SplitMix(seed: 3)
        for _ in 0..<500 {
            let points = (0..<Int(rng.next() % 10)).map { _ in
                Point(x: Int(bitPattern: UInt(rng.next())), y: Double(rng.next() % 100),
                      label: rng.next() % 2 == 0 ? nil : String(rng.next()))
            }
            let table = Dictionary(uniqueKeysWithValues: points.enumerated().map { ("k\($0.offset)", $0.element) })
            #expect(try roundTrip(table) == table)
        }
    }

    @Test func encodingIsCompact() throws {
        #expect(try BinaryCodec.encode(42) == [0x03, 0x54])
        #expect(try BinaryCodec.encode(-1) == [0x03, 0x01])
        #expect(try BinaryCodec.encode(true) == [0x02])
        #expect(try BinaryCodec.encode("hi") == [0x07, 0x02, 0x68, 0x69])
        #expect(try BinaryCodec.encode([UInt8]([9, 8])) == [0x08, 0x02, 9, 8])
        #expect(try BinaryCodec.encode(Point(x: 1, y: 0, label: nil)).count < 30)
        var buffer: [UInt8] = [0xAA]
        try BinaryCodec.encode(7, appendingTo: &buffer)
        #expect(buffer == [0xAA, 0x03, 0x0E])
    }

    @Test func fastAndGeneralPathsReadEachOther() throws {
        // Packed arrays decode as any array of integers; generic arrays decode on the fast path.
        #expect(try decode([Int32].self, try BinaryCodec.encode([1, 2, 3])) == [1, 2, 3])
        #expect(try decode([Int].self, try BinaryCodec.encode(ContiguousArray([4, 5]))) == [4, 5])
        #expect(try decode([Int].self, try BinaryCodec.encode([UInt8]([6, 7]))) == [6, 7])
        #expect(try decode([Float].self, try BinaryCodec.encode([1.5, 2.5])) == [1.5, 2.5])
        #expect(try decode(Int.self, try BinaryCodec.encode(UInt16(9))) == 9)
        #expect(try decode(Double.self, try BinaryCodec.encode(Float(0.25))) == 0.25)
    }

    // MARK: - Bad input

    @Test func mismatchedTypesAreNamed() throws {
        #expect(throws: CodecError.typeMismatch(expected: "Int", found: "String", path: "top level")) {
            try decode(Int.self, try BinaryCodec.encode("x"))
        }
        #expect(throws: CodecError.valueOutOfRange(value: "300", type: "UInt8", path: "top level")) {
            try decode(UInt8.self, try BinaryCodec.encode(300))
        }
        #expect(throws: CodecError.trailingBytes(count: 2)) {
            try decode(Int.self, try BinaryCodec.encode(1) + [0, 0])
        }
        #expect(throws: CodecError.invalidUTF8(offset: 2)) {
            try decode(String.self, [0x07, 0x02, 0xFF, 0xFE])
        }
        #expect(throws: CodecError.keyNotFound(key: "x", path: "top level")) {
            try decode(Point.self, try BinaryCodec.encode(["y": 1.0]))
        }
        #expect(throws: CodecError.typeMismatch(expected: "String", found: "signed integer", path: "[0].label")) {
            struct Wrong: Codable { var x: Int; var y: Double; var label: Int }
            _ = try decode([Point].self, try BinaryCodec.encode([Wrong(x: 1, y: 1, label: 2), Wrong(x: 1, y: 1, label: 2)]))
        }
        #expect(throws: CodecError.typeMismatch(expected: "Bool", found: "a packed number", path: "[0]")) {
            _ = try decode(Pair.self, try BinaryCodec.encode([1, 2]))
        }
        #expect(throws: CodecError.endOfContainer(path: "top level")) {
            _ = try decode(Pair.self, try BinaryCodec.encode([true]))
        }
        #expect(throws: CodecError.corrupt(offset: 0, reason: "unknown tag 0xff")) {
            try decode(Int.self, [0xFF])
        }
        let description = String(describing: CodecError.truncated(offset: 3, needed: 8, available: 2))
        #expect(description.contains("needed 8 bytes at offset 3"))
    }

    @Test func truncatedInputThrowsAtEveryLength() throws {
        let value = Everything(
            flag: false, small: 1, medium: 2, word: 3, wide: 4, byte: 5, unsigned: 6, u16: 7, u32: 8,
            u64: 9, float: 1, double: 2, text: "text", bytes: [1, 2], ints: [3], doubles: [4],
            strings: ["s"], optional: nil, missing: "m", points: [Point(x: 1, y: 2, label: "l")],
            table: ["t": 1], numbered: [2: "n"], oddKeys: [0.5: true], tags: ["g"], nested: [[1]],
            maybeList: [nil])
        let bytes = try BinaryCodec.encode(value)
        for length in 0..<bytes.count {
            #expect(throws: CodecError.self) { try decode(Everything.self, Array(bytes[..<length])) }
        }
        let list = try BinaryCodec.encode(["a", "bc", "def"])
        for length in 0..<list.count {
            #expect(throws: CodecError.self) { try decode([String].self, Array(list[..<length])) }
        }
    }

    @Test func randomBytesNeverCrash() throws {
        var rng = SplitMix(seed: 4)
        let seeds: [[UInt8]] = [
            try BinaryCodec.encode(Point(x: 5, y: 6, label: "z")),
            try BinaryCodec.encode([Shape.circle(radius: 1), .named("n", sides: 3)]),
            try BinaryCodec.encode(List.of(length: 5)),
        ]
        var failures = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = seeds[round % seeds.count]
                for _ in 0...(rng.next() % 3) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            // Any error is fine (a synthesised init may add DecodingError); a crash is not.
            do { _ = try decode(Point.self, bytes) } catch { failures += 1 }
            do { _ = try decode([Shape].self, bytes) } catch { failures += 1 }
            do { _ = try decode(List.self, bytes) } catch { failures += 1 }
            do { _ = try decode([String: [Int]].self, bytes) } catch { failures += 1 }
            do { _ = try decode([String].self, bytes) } catch { failures += 1 }
        }
        #expect(failures > 0)
    }

    @Test func nestingTooDeepIsAnErrorNotACrash() throws {
        #expect(throws: CodecError.self) { try BinaryCodec.encode(List.of(length: 2000)) }
        // Hand-built: thousands of levels of {"node": {"_0": 0, "_1": ...}}, far past the limit.
        func keyed(_ entries: [(String, [UInt8])]) -> [UInt8] {
            var body: [UInt8] = []
            body.appendVarint(UInt64(entries.count))
            for (key, item) in entries { body.appendString(key, tagged: false); body += item }
            var item: [UInt8] = [0x0A]
            item.appendVarint(UInt64(body.count))
            return item + body
        }
        var bytes = keyed([("end", keyed([]))])
        for _ in 0..<3000 { bytes = keyed([("node", keyed([("_0", [0x03, 0x00]), ("_1", bytes)]))]) }
        #expect(throws: CodecError.self) { try decode(List.self, bytes) }
    }
}
