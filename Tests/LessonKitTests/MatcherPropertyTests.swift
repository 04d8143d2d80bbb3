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
