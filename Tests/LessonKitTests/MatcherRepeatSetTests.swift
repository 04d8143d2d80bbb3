import Testing
@testable import LessonKit

/// `[repeat]`, set captures (`[INT:+made]`, `[INT:in made]`) and inline `[unordered]` lists.
@Suite struct MatcherRepeatSetTests {
    func matches(_ expected: String, _ actual: String) throws -> Bool {
        try OutputMatcher.match(expected: expected, actual: actual).matched
    }

    func parseError(_ expected: String) -> String? {
        do {
            _ = try OutputPattern(parsing: expected)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: - [repeat]

    @Test func repeatMatchesOneOrMoreTimesButNotNone() throws {
        let expected = "start\n[repeat]\ntick [INT]\n[/repeat]\nend\n"
        #expect(try matches(expected, "start\ntick 1\nend\n"))
        #expect(try matches(expected, "start\ntick 1\ntick 2\ntick 3\nend\n"))
        #expect(try !matches(expected, "start\nend\n"))
        #expect(try !matches(expected, "start\ntick 1\ntock 2\nend\n"))
    }

    @Test func aRepeatedRunOfLinesStaysWhole() throws {
        let expected = "[repeat]\nask\nanswer [INT]\n[/repeat]\n"
        #expect(try matches(expected, "ask\nanswer 1\nask\nanswer 2\n"))
        #expect(try !matches(expected, "ask\nanswer 1\nask\n"))
        #expect(try !matches(expected, "ask\nask\nanswer 1\nanswer 2\n"))
    }

    @Test func repeatedGroupsInterleave() throws {
        let expected = "[interleaved]\n[repeat]\nA [INT]\n[/repeat]\nA done\n---\n[repeat]\nB [INT]\n[/repeat]\n[/interleaved]\nall done\n"
        #expect(try matches(expected, "A 1\nB 1\nA 2\nB 2\nB 3\nA done\nall done\n"))
        #expect(try matches(expected, "B 1\nA 1\nA done\nall done\n"))
        #expect(try !matches(expected, "B 1\nA done\nall done\n"), "A's repeat needs a line before `A done`")
        #expect(try !matches(expected, "A 1\nA done\nA 2\nB 1\nall done\n"), "A's lines end with `A done`")
        #expect(try !matches(expected, "A 1\nA done\nall done\n"), "B's group needs one line")
    }

    @Test func aRepeatedLineInsideUnorderedMayComeAnywhere() throws {
        let expected = "[unordered]\nfirst\n[repeat]\nitem [INT]\n[/repeat]\nlast\n[/unordered]\n"
        #expect(try matches(expected, "item 1\nlast\nitem 2\nfirst\n"))
        #expect(try matches(expected, "first\nlast\nitem 9\n"))
        #expect(try !matches(expected, "first\nlast\n"))
        #expect(try !matches(expected, "first\nitem 1\nfirst\nlast\n"), "a line without [repeat] is used once")
    }

    @Test func repeatMisuseIsReported() {
        #expect(parseError("[repeat]\na\n") != nil)
        #expect(parseError("[repeat]\n[/repeat]\n")?.contains("empty") == true)
        #expect(parseError("[repeat]\n...\n[/repeat]\n") != nil)
        #expect(parseError("a\n[/repeat]\n")?.contains("without its opening") == true)
        #expect(parseError("[unordered]\n[repeat]\na\nb\n[/repeat]\n[/unordered]\n")?.contains("one line") == true)
        #expect(parseError("[interleaved]\n[repeat]\na\n---\nb\n[/repeat]\n[/interleaved]\n") != nil)
        #expect(parseError("[repeat]\n[repeat]\na\n[/repeat]\n[/repeat]\n") != nil)
    }

    @Test func repetitionInsideInterleavingStaysBounded() throws {
        // Five identical repeated groups over 300 lines: without memoising positions this is
        // 5^300 ways; with it, a few thousand states.
        let group = "[repeat]\nline [INT]\n[/repeat]\n"
        let expected = "[interleaved]\n" + Array(repeating: group, count: 5).joined(separator: "---\n") + "[/interleaved]\nend\n"
        let actual = (0..<300).map { "line \($0)" }.joined(separator: "\n")
        #expect(try matches(expected, actual + "\nend\n"))
        #expect(try !matches(expected, actual + "\nnot the end\n"))
    }

    // MARK: - Set captures

    let producerConsumer = """
        [interleaved]
        [repeat]
        Producer [INT:+made.producer] produced: [INT:+made.item]
        [/repeat]
        ---
        [repeat]
        Consumer [INT] consumed: [INT:in made.item] from Producer [INT:in made.producer]
        [/repeat]
        [/interleaved]
        done
        """

    @Test func everyLookedUpValueMustHaveBeenAdded() throws {
        // Consumed before produced in the text: the look-ups are checked after the whole match.
        #expect(try matches(producerConsumer, "Consumer 1 consumed: 42 from Producer 0\nProducer 0 produced: 42\nProducer 1 produced: 7\ndone\n"))
        let wrongItem = try OutputMatcher.match(expected: producerConsumer, actual: "Producer 0 produced: 42\nConsumer 1 consumed: 43 from Producer 0\ndone\n")
        #expect(!wrongItem.matched)
        #expect(wrongItem.diff.contains("Consumer 1 consumed: 43 from Producer 0"))
        #expect(wrongItem.diff.contains("item=43, producer=0"))
        // The pair counts, not each value on its own.
        #expect(try !matches(producerConsumer, "Producer 0 produced: 42\nProducer 1 produced: 7\nConsumer 1 consumed: 42 from Producer 1\ndone\n"))
    }

    @Test func aLookupOfSomeFieldsMatchesAnyTupleWithThem() throws {
        let expected = "[repeat]\nmade [INT:+made.item] by [INT:+made.who]\n[/repeat]\nused [INT:in made.item]\n"
        #expect(try matches(expected, "made 5 by 1\nmade 6 by 2\nused 6\n"))
        #expect(try !matches(expected, "made 5 by 1\nmade 6 by 2\nused 7\n"))
    }

    @Test func aLoneValueSet() throws {
        let expected = "[unordered]\n[repeat]\nput [INT:+box]\n[/repeat]\n[repeat]\ngot [INT:in box]\n[/repeat]\n[/unordered]\n"
        #expect(try matches(expected, "got 3\nput 3\nput 4\ngot 4\ngot 3\n"))
        #expect(try !matches(expected, "got 3\nput 3\nput 4\ngot 5\n"))
    }

    @Test func addingAndLookingUpOneSetOnOneLineIsAnError() {
        #expect(parseError("[INT:+made] [INT:in made]\n")?.contains("either adds") == true)
    }

    // MARK: - Inline [unordered]

    @Test func inlineUnorderedMatchesAnyOrderOfTheItems() throws {
        let expected = "Dict: {[unordered]0: 0, 1: 10, 2: 20[/unordered]}\n"
        #expect(try matches(expected, "Dict: {0: 0, 1: 10, 2: 20}\n"))
        #expect(try matches(expected, "Dict: {2: 20, 0: 0, 1: 10}\n"))
        #expect(try !matches(expected, "Dict: {2: 20, 0: 0, 1: 11}\n"))
        #expect(try !matches(expected, "Dict: {2: 20, 0: 0}\n"), "an item missing")
        #expect(try !matches(expected, "Dict: {2: 20, 0: 0, 1: 10, 3: 30}\n"), "an item too many")
        #expect(try !matches(expected, "Dict: {2: 20, 0: 0, 0: 0}\n"), "an item twice")
    }

    @Test func inlineItemsMayNestAndHoldPlaceholders() throws {
        let expected = "[[unordered][1, 2], [INT], 'a, b'[/unordered]]\n"
        #expect(try matches(expected, "['a, b', 7, [1, 2]]\n"))
        #expect(try matches(expected, "[[1, 2], 'a, b', -3]\n"))
        #expect(try !matches(expected, "[[2, 1], 'a, b', 7]\n"), "inside an item the order counts")
        let nested = "[[unordered][[unordered]1, 2[/unordered]], 3[/unordered]]\n"
        #expect(try matches(nested, "[3, [2, 1]]\n"))
        #expect(try !matches(nested, "[3, [2, 2]]\n"))
    }

    @Test func namedInlineListsShareTheirOrder() throws {
        let expected = "Dict: {[unordered:order]0: 0, 1: 10, 2: 20[/unordered]}\nList: [[unordered:order]0, 1, 2[/unordered]]\n"
        #expect(try matches(expected, "Dict: {1: 10, 2: 20, 0: 0}\nList: [1, 2, 0]\n"))
        #expect(try !matches(expected, "Dict: {1: 10, 2: 20, 0: 0}\nList: [2, 1, 0]\n"))
        #expect(try !matches(expected, "Dict: {1: 10, 2: 20, 0: 0}\nList: [1, 2, 0, 3]\n"))
    }

    @Test func anUnclosedInlineListIsReported() {
        #expect(parseError("x [unordered]1, 2\n")?.contains("never closed") == true)
        #expect(parseError("[unordered]\na\n[/unordered]\n") == nil, "the block marker alone on a line is the block")
    }

    // MARK: - The lessons' transcripts, and broken ones

    @Test func managerTranscripts() throws {
        let expected = "Dict: {[unordered:order]0: 0, 1: 10, 2: 20, 3: 30, 4: 40[/unordered]}\nList: [[unordered:order]0, 1, 2, 3, 4[/unordered]]\n"
        #expect(try matches(expected, "Dict: {0: 0, 2: 20, 1: 10, 4: 40, 3: 30}\nList: [0, 2, 1, 4, 3]\n"))
        #expect(try !matches(expected, "Dict: {0: 0, 2: 20, 1: 10, 4: 40, 3: 30}\nList: [0, 1, 2, 3, 4]\n"), "orders disagree")
        #expect(try !matches(expected, "Dict: {0: 0, 2: 20, 1: 10, 4: 41, 3: 30}\nList: [0, 2, 1, 4, 3]\n"), "a wrong value")
        #expect(try !matches(expected, "Dict: {0: 0, 2: 20, 1: 10, 4: 40}\nList: [0, 2, 1, 4]\n"), "a lost update")
    }

    @Test func theDiffNamesStrayLinesAndListOrders() throws {
        let expected = "[interleaved]\n[repeat]\nA [INT]\n[/repeat]\n---\n[repeat]\nB [INT]\n[/repeat]\n[/interleaved]\nend\n"
        let stray = try OutputMatcher.match(expected: expected, actual: "A 1\nC 2\nB 3\nend\n")
        #expect(!stray.matched)
        #expect(stray.diff.contains("output lines that match no expected line: 2 `C 2`"), "\(stray.diff)")
        let lists = "{[unordered:o]1: 10, 2: 20[/unordered]}\n[[unordered:o]1, 2[/unordered]]\n"
        let disagree = try OutputMatcher.match(expected: lists, actual: "{2: 20, 1: 10}\n[1, 2]\n")
        #expect(!disagree.matched)
        #expect(disagree.diff.contains("the lists named o do not come in one order"), "\(disagree.diff)")
    }

    @Test func producerConsumerTranscripts() throws {
        let lesson = try FileSystem.readText(packageRoot + "/lessons/06-applications.md")
        let expected = try #require(outputBlock(lesson, demo: "producer-consumer"))
        let good = """
            Consumer 0 consumed: 82 from Producer 0
            Consumer 0 consumed: 50 from Producer 1
            Consumer 2 consumed: 42 from Producer 1
            Consumer 2 consumed: 67 from Producer 0
            Producer 1 produced: 42
            Producer 1 produced: 50
            Consumer 1 consumed: 83 from Producer 1
            Producer 0 produced: 82
            Producer 0 produced: 67
            Producer 1 produced: 83
            All processes finished
            """
        #expect(try matches(expected, good))
        // Consumer 1 reports an item Producer 1 never made.
        #expect(try !matches(expected, good.replacingOnce("83 from Producer 1", with: "84 from Producer 1")))
        // The item was made, but by the other producer.
        #expect(try !matches(expected, good.replacingOnce("82 from Producer 0", with: "82 from Producer 1")))
        // A consumer that consumed nothing, a line of another shape, a missing last line.
        #expect(try !matches(expected, good.replacingOnce("Consumer 2 consumed: 42 from Producer 1\nConsumer 2 consumed: 67 from Producer 0\n", with: "")))
        #expect(try !matches(expected, good.replacingOnce("Producer 0 produced: 67", with: "Producer 0 made: 67")))
        #expect(try !matches(expected, good.replacingOnce("\nAll processes finished", with: "")))
    }
}

/// The text of the `output demo=<demo>` block in a lesson.
func outputBlock(_ lesson: String, demo: String) -> String? {
    guard let start = lesson.range(of: "```output demo=\(demo)") else { return nil }
    guard let bodyStart = lesson[start.upperBound...].firstIndex(of: "\n") else { return nil }
    let body = lesson[lesson.index(after: bodyStart)...]
    guard let end = body.range(of: "```") else { return nil }
    return String(body[..<end.lowerBound])
}

extension String {
    func replacingOnce(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        var text = self
        text.replaceSubrange(range, with: replacement)
        return text
    }
}
