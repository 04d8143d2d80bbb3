import PropertyBased
import Testing
@testable import LessonKit

/// A small deterministic generator, so one integer input builds a whole structure.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: Int) { state = UInt64(truncatingIfNeeded: seed) &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Text lines without expected-output syntax: letters, digits, CJK, punctuation.
func plainLine(_ random: inout SplitMix) -> String {
    let alphabet = Array("abcXYZ019 ,:()=-_+进程子主。，")
    let count = Int.random(in: 0...24, using: &random)
    var line = String((0..<count).map { _ in alphabet.randomElement(using: &random)! })
    while line.hasSuffix(" ") { line.removeLast() }
    return line
}

/// Groups of distinct lines, and a random interleaving of them.
func groupsAndInterleaving(_ random: inout SplitMix) -> (groups: [[String]], output: [String]) {
    let groupCount = Int.random(in: 1...5, using: &random)
    let groups = (0..<groupCount).map { group in
        (0..<Int.random(in: 1...6, using: &random)).map { "group \(group) line \($0): \(plainLine(&random))" }
    }
    var positions = [Int](repeating: 0, count: groupCount)
    var output: [String] = []
    while output.count < groups.joined().count {
        let open = groups.indices.filter { positions[$0] < groups[$0].count }
        let group = open.randomElement(using: &random)!
        output.append(groups[group][positions[group]])
        positions[group] += 1
    }
    return (groups, output)
}

/// Whether `actual` matches `pattern`; a malformed pattern is a test failure, not a non-match.
func matched(_ pattern: String, _ actual: String) -> Bool {
    do {
        return try OutputMatcher.match(expected: pattern, actual: actual).matched
    } catch {
        Issue.record("bad pattern: \(error)")
        return false
    }
}

func interleavedPattern(_ groups: [[String]]) -> String {
    "[interleaved]\n" + groups.map { $0.joined(separator: "\n") }.joined(separator: "\n---\n") + "\n[/interleaved]\n"
}

@Suite struct MatcherPropertyTests {
    @Test func exactTextAlwaysMatchesItself() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let text = (0..<Int.random(in: 0...30, using: &random)).map { _ in plainLine(&random) }.joined(separator: "\n") + "\n"
            #expect(matched(text, text), "\(text)")
        }
    }

    @Test func anInterleavingOfGroupsMatchesInterleaved() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let (groups, output) = groupsAndInterleaving(&random)
            let pattern = "before\n" + interleavedPattern(groups) + "after\n"
            let actual = "before\n" + output.joined(separator: "\n") + "\nafter\n"
            #expect(matched(pattern, actual), "\(actual)")
        }
    }

    @Test func aLineOutOfOrderInsideAGroupNeverMatches() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            var (groups, output) = groupsAndInterleaving(&random)
            if !groups.contains(where: { $0.count >= 2 }) {
                groups.append(["extra 1", "extra 2"])
                output += ["extra 1", "extra 2"]
            }
            let group = groups.indices.filter { groups[$0].count >= 2 }.randomElement(using: &random)!
            // Swap two lines of one group in the output.
            let first = Int.random(in: 0..<(groups[group].count - 1), using: &random)
            let second = Int.random(in: (first + 1)..<groups[group].count, using: &random)
            let a = output.firstIndex(of: groups[group][first])!
            let b = output.firstIndex(of: groups[group][second])!
            output.swapAt(a, b)
            #expect(!matched(interleavedPattern(groups), output.joined(separator: "\n")))
        }
    }

    @Test func aPermutationMatchesUnordered() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let lines = (0..<Int.random(in: 1...12, using: &random)).map { "\($0 % 3): \(plainLine(&random))" }
            let pattern = "[unordered]\n" + lines.joined(separator: "\n") + "\n[/unordered]\n"
            let shuffled = lines.shuffled(using: &random)
            #expect(matched(pattern, shuffled.joined(separator: "\n")))
        }
    }

    @Test func aChangedFactNeverMatches() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let (groups, output) = groupsAndInterleaving(&random)
            let pattern = "Main [PID:main]\n" + interleavedPattern(groups) + "Total: 45\n"
            var actual = ["Main 4242"] + output + ["Total: 45"]
            // Change one character of one line (in the first line, outside the PID).
            let index = Int.random(in: 0..<actual.count, using: &random)
            var characters = Array(actual[index])
            let position = index == 0 ? Int.random(in: 0..<4, using: &random) : Int.random(in: 0..<characters.count, using: &random)
            characters[position] = characters[position] == "#" ? "%" : "#"
            actual[index] = String(characters)
            #expect(!matched(pattern, actual.joined(separator: "\n")), "\(actual)")
        }
    }

    @Test func aChangedCaptureNeverMatches() async {
        await propertyCheck(count: 100, input: Gen.int(in: 1...99_999), Gen.int(in: 1...99_999)) { main, other in
            let pattern = "Main process PID: [PID:main]\n[unordered]\nWorker A, Parent PID: [PID:main]\nWorker B, Parent PID: [PID:main]\n[/unordered]\n"
            let actual = "Main process PID: \(main)\nWorker B, Parent PID: \(main)\nWorker A, Parent PID: \(other)\n"
            #expect(matched(pattern, actual) == (main == other))
        }
    }
}

// MARK: - [repeat], set captures, inline [unordered]

/// Distinct items in Python's repr style: numbers, `k: v` pairs, short lists and strings.
func reprItems(_ random: inout SplitMix) -> [String] {
    let count = Int.random(in: 0...8, using: &random)
    return (0..<count).map { index in
        switch Int.random(in: 0...3, using: &random) {
        case 0: "\(index * 7 - 3)"
        case 1: "\(index): \(index * 10)"
        case 2: "[\(index), \(index + 1)]"
        default: "'s\(index), x'"
        }
    }
}

@Suite struct MatcherRepeatSetPropertyTests {
    @Test func anyPermutationOfTheItemsMatchesInlineUnordered() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let items = reprItems(&random)
            let pattern = "List: [[unordered]" + items.joined(separator: ", ") + "[/unordered]] end\n"
            let actual = "List: [" + items.shuffled(using: &random).joined(separator: ", ") + "] end\n"
            #expect(matched(pattern, actual), "\(actual)")
        }
    }

    @Test func aChangedItemNeverMatchesInlineUnordered() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            var items = reprItems(&random)
            if items.isEmpty { items = ["1"] }
            let pattern = "{[unordered]" + items.joined(separator: ", ") + "[/unordered]}\n"
            var shuffled = items.shuffled(using: &random)
            let index = Int.random(in: 0..<shuffled.count, using: &random)
            switch Int.random(in: 0...2, using: &random) {
            case 0: shuffled[index] += "9"                 // a changed item
            case 1: shuffled.remove(at: index)             // a lost item
            default: shuffled.append(shuffled[index])      // an item twice
            }
            #expect(!matched(pattern, "{" + shuffled.joined(separator: ", ") + "}\n"), "\(shuffled)")
        }
    }

    @Test func namedListsMatchOnlyInTheSameOrder() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let count = Int.random(in: 1...7, using: &random)
            let first = Array(0..<count).shuffled(using: &random)
            let second = Int.random(in: 0...1, using: &random) == 0 ? first : Array(0..<count).shuffled(using: &random)
            let keys = (0..<count).map(String.init).joined(separator: ", ")
            let pairs = (0..<count).map { "\($0): \($0 * 10)" }.joined(separator: ", ")
            let pattern = "{[unordered:o]\(pairs)[/unordered]}\n[[unordered:o]\(keys)[/unordered]]\n"
            let actual = "{" + first.map { "\($0): \($0 * 10)" }.joined(separator: ", ") + "}\n["
                + second.map(String.init).joined(separator: ", ") + "]\n"
            #expect(matched(pattern, actual) == (first == second), "\(actual)")
        }
    }

    @Test func nRepetitionsMatchForEveryNAtLeastOne() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...60), Gen.int(in: 1...3)) { n, width in
            let body = (0..<width).map { "step \($0) of [INT]" }
            let pattern = "begin\n[repeat]\n" + body.joined(separator: "\n") + "\n[/repeat]\nend\n"
            let runs = (0..<n).flatMap { run in (0..<width).map { "step \($0) of \(run)" } }
            let actual = (["begin"] + runs + ["end"]).joined(separator: "\n")
            #expect(matched(pattern, actual) == (n >= 1), "n=\(n)")
            if n >= 1 {
                // A run cut short never matches.
                let cut = (["begin"] + runs.dropLast() + ["end"]).joined(separator: "\n")
                #expect(matched(pattern, cut) == (width == 1 && n >= 2), "n=\(n) width=\(width)")
            }
        }
    }

    @Test func repeatedGroupsMatchAnyInterleavingOfAnyLengths() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let groupCount = Int.random(in: 1...5, using: &random)
            let lengths = (0..<groupCount).map { _ in Int.random(in: 1...12, using: &random) }
            var positions = [Int](repeating: 0, count: groupCount)
            var output: [String] = []
            while output.count < lengths.reduce(0, +) {
                let open = (0..<groupCount).filter { positions[$0] < lengths[$0] }
                let group = open.randomElement(using: &random)!
                output.append("worker \(group) item \(positions[group])")
                positions[group] += 1
            }
            let pattern = "[interleaved]\n" + (0..<groupCount).map { "[repeat]\nworker \($0) item [INT]\n[/repeat]\n" }
                .joined(separator: "---\n") + "[/interleaved]\n"
            #expect(matched(pattern, output.joined(separator: "\n")))
            // A group that printed nothing never matches.
            let missing = Int.random(in: 0..<groupCount, using: &random)
            #expect(!matched(pattern, output.filter { !$0.hasPrefix("worker \(missing) ") }.joined(separator: "\n")))
        }
    }

    @Test func aConsumedValueOutsideTheProducedSetNeverMatches() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...1_000_000_000)) { seed in
            var random = SplitMix(seed: seed)
            let made = (0..<Int.random(in: 1...15, using: &random)).map { _ in
                (producer: Int.random(in: 0...1, using: &random), item: Int.random(in: 1...100, using: &random))
            }
            var used = (0..<Int.random(in: 1...15, using: &random)).map { _ in made.randomElement(using: &random)! }
            let pattern = """
                [unordered]
                [repeat]
                Producer [INT:+made.producer] produced: [INT:+made.item]
                [/repeat]
                [repeat]
                Consumer consumed: [INT:in made.item] from Producer [INT:in made.producer]
                [/repeat]
                [/unordered]

                """
            func transcript() -> String {
                let lines = made.map { "Producer \($0.producer) produced: \($0.item)" }
                    + used.map { "Consumer consumed: \($0.item) from Producer \($0.producer)" }
                return lines.shuffled(using: &random).joined(separator: "\n")
            }
            #expect(matched(pattern, transcript()))
            // Change one consumed pair to one nobody produced.
            let index = Int.random(in: 0..<used.count, using: &random)
            repeat {
                used[index] = (Int.random(in: 0...1, using: &random), Int.random(in: 1...100, using: &random))
            } while made.contains { $0.producer == used[index].producer && $0.item == used[index].item }
            #expect(!matched(pattern, transcript()))
        }
    }
}
