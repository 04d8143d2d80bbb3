import Testing
import Multiprocessing

/// The example in README.md, kept compiling and true.
@Suite(.serialized) struct ReadmeExampleTests {
    @Test func poolAndLockedCounter() throws {
        let squares = try withPool(processes: 4) { pool in try pool.map(Square(), 0..<10) }
        #expect(squares == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])

        let counter = try Value<Int32>(0)
        let lock = try Lock()
        let workers = (0..<4).map { _ in
            Process { for _ in 0..<1000 { lock.withLock { counter.value += 1 } } }
        }
        for p in workers { try p.start() }
        for p in workers { try p.join() }
        #expect(counter.value == 4000)
    }
}
