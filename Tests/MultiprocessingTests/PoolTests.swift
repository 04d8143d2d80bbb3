import CMultiprocessing
import Glibc
import Testing
@testable import Multiprocessing

private func add(_ a: Int, _ b: Int) -> Int { a + b }

extension PoolSuites {
@Suite("Pool", .serialized)
struct PoolTests {
    // MARK: The document's samples

    @Test func seedResults() throws {
        try withPool(processes: 4) { pool in
            #expect(try pool.map(0..<10) { x in x * x } == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
            #expect(try pool.mapAsync(0..<5) { x in x * x }.get() == [0, 1, 4, 9, 16])
            #expect(try pool.apply(add, (1, 2)) == 3)
            #expect(try pool.applyAsync(add, (3, 4)).get() == 7)
            #expect(try pool.starmap(add, [(1, 2), (3, 4), (5, 6)]) == [3, 7, 11])
            let items = (0..<5).map { ["value": $0] }
            var seen: [Int] = []
            for result in try pool.imap({ (item: [String: Int]) in item["value"]! * 2 }, items) { seen.append(try result.get()) }
            #expect(seen == [0, 2, 4, 6, 8])
        }
    }

    // MARK: Ordering

    @Test func integerRangeMapsInferInt() throws {
        // `&*` once made the literal range's element Int128, which the codec cannot carry.
        try withPool(processes: 2) { pool in
            let squares = try pool.map(0..<100) { $0 &* $0 }
            #expect(type(of: squares) == [Int].self)
            #expect(squares == (0..<100).map { $0 * $0 })
            let doubled = try pool.map(1...5) { $0 &+ $0 }
            #expect(type(of: doubled) == [Int].self)
            #expect(doubled == [2, 4, 6, 8, 10])
            let streamed = try pool.imap(0..<4) { $0 &* 3 }.map { try $0.get() }
            #expect(type(of: streamed) == [Int].self)
            #expect(streamed == [0, 3, 6, 9])
        }
    }

    @Test func mapKeepsOrderForEveryChunkSize() throws {
        try withPool(processes: 3) { pool in
            let expected = (0..<1000).map { $0 * 3 }
            for size in [nil, 1, 7, 1000, 5000] as [Int?] {
                let tripled = try pool.map(0..<1000, chunkSize: size) { $0 * 3 }
                #expect(tripled == expected)
            }
            #expect(try pool.map({ (x: Int) in -x }, [1, 2, 3]) == [-1, -2, -3])
            #expect(try pool.map([Int]()) { $0 } == [])
            #expect(try pool.map(["a", "bb", "ccc"]) { $0.count } == [1, 2, 3])
            #expect(try pool.map([1, 2]) { String(repeating: "x", count: $0) } == ["x", "xx"])
            #expect(try pool.starmap({ (a: Int, b: Int, c: Int) in a * b + c }, [(1, 2, 3), (4, 5, 6)]) == [5, 26])
        }
    }

    @Test func imapIsOrderedEvenWhenEarlyItemsAreSlow() throws {
        try withPool(processes: 2) { pool in
            let results = try pool.imap(0..<6) { (x: Int) -> Int in
                if x == 0 { usleep(200_000) }
                return x * 2
            }
            #expect(try results.map { try $0.get() } == [0, 2, 4, 6, 8, 10])
            let chunked = try pool.imap(0..<50, chunkSize: 4) { $0 + 1 }
            #expect(try chunked.map { try $0.get() } == Array(1...50))
        }
    }

    @Test func imapUnorderedYieldsInCompletionOrder() throws {
        try withPool(processes: 2) { pool in
            let results = try pool.imapUnordered(0..<8) { (x: Int) -> Int in
                if x == 0 { usleep(400_000) }
                return x
            }
            let order = try results.map { try $0.get() }
            #expect(order.sorted() == Array(0..<8))
            #expect(order.last == 0)
        }
    }

    // MARK: Errors and timeouts

    @Test func taskErrorCarriesTheWorkersMessage() throws {
        try withPool(processes: 2) { pool in
            do {
                _ = try pool.map(0..<10, chunkSize: 1) { (x: Int) -> Int in
                    if x == 7 { throw PoolTaskFailure(text: "bad item 7") }
                    return x
                }
                Issue.record("map should have thrown")
            } catch let error as WorkerError {
                #expect(error.message == "bad item 7")
                #expect(error.description == "bad item 7")
                #expect(error.typeName.hasSuffix("PoolTaskFailure"))
                #expect(error.worker.hasPrefix("ForkPoolWorker-"))
            }
            let failing = try pool.applyAsync { () throws -> Int in throw PoolTaskFailure(text: "nope") }
            failing.wait()
            #expect(failing.ready())
            #expect(try failing.successful() == false)
            #expect(throws: WorkerError.self) { try failing.get() }
            // Other work is unaffected.
            #expect(try pool.apply { 41 + 1 } == 42)
        }
    }

    @Test func getTimesOutWithATypedError() throws {
        try withPool(processes: 1) { pool in
            let slow = try pool.applyAsync { () -> Int in usleep(3_000_000); return 1 }
            #expect(throws: PoolError.timeout(seconds: 0.1)) { try slow.get(timeout: 0.1) }
            #expect(!slow.ready())
            #expect(throws: PoolError.resultNotReady) { try slow.successful() }
            let items = try pool.imap([1]) { (x: Int) -> Int in x }
            #expect(throws: PoolError.timeout(seconds: 0.05)) { try items.next(timeout: 0.05) }
        }
    }

    // MARK: Workers

    @Test func neverMoreThanProcessesTasksAtOnce() throws {
        let counters = try PoolCounters()
        try withPool(processes: 2) { pool in
            _ = try pool.map(0..<24, chunkSize: 1) { (x: Int) -> Int in
                let now = counters.add(0)
                counters.raise(1, to: now)
                usleep(10_000)
                counters.add(0, -1)
                return x
            }
            // Separate calls (new closures, new workers) are bounded too.
            let pending = try (0..<10).map { _ in
                try pool.applyAsync { () -> Int in
                    let now = counters.add(0)
                    counters.raise(1, to: now)
                    usleep(5_000)
                    counters.add(0, -1)
                    return 0
                }
            }
            for result in pending { _ = try result.get(timeout: 5) }
        }
        #expect(counters[1] >= 1)
        #expect(counters[1] <= 2)
    }

    @Test func initializerRunsOnceInEachWorker() throws {
        // Closure calls replace workers (see Pool's "Closures and their cost"); each worker,
        // original or replacement, runs the initializer exactly once before its tasks.
        let counters = try PoolCounters(32)
        let pids = try withPool(processes: 2, initializer: recordingInitializer(counters)) { pool in
            try pool.map(0..<40, chunkSize: 1) { (_: Int) -> Int32 in usleep(2000); return getpid() }
        }
        let initialized = initializedPids(counters)
        #expect(initialized.count == Int(counters[0]))
        #expect(Set(pids).isSubset(of: initialized))
    }

    @Test func workersAreNamedLikePython() throws {
        try withPool(processes: 2) { pool in
            let names = try pool.map(0..<4, chunkSize: 1) { (_: Int) in currentProcess().name }
            #expect(names.allSatisfy { $0.hasPrefix("ForkPoolWorker-") })
        }
    }

    @Test func maxTasksPerChildReplacesWorkers() throws {
        try withPool(processes: 2, maxTasksPerChild: 2) { pool in
            let pids = try pool.map(0..<12, chunkSize: 1) { (_: Int) -> Int32 in getpid() }
            #expect(Set(pids).count >= 6)
            #expect(try pool.apply { 5 } == 5)
        }
    }

    // MARK: Worker death

    @Test func workerKilledDuringMapFailsItAndThePoolRecovers() throws {
        let pool = try Pool(processes: 2)
        defer { pool.terminate() }
        var victim: Int32 = 0
        do {
            _ = try pool.mapAsync(0..<8, chunkSize: 1) { (x: Int) -> Int in
                if x == 3 { kill(getpid(), SIGKILL) }
                return x
            }.get(timeout: 5)
            Issue.record("map should have failed")
        } catch let PoolError.workerDied(worker, pid, code) {
            #expect(worker.hasPrefix("ForkPoolWorker-"))
            #expect(code == -SIGKILL)
            victim = pid
            #expect(PoolError.workerDied(worker: worker, pid: pid, exitCode: code).description.contains("SIGKILL"))
        }
        #expect(victim > 0)
        #expect(poolPidsGone([victim]))
        #expect(try pool.map(0..<4) { $0 + 1 } == [1, 2, 3, 4])
    }

    @Test func workerCrashDuringApplyFailsOnlyThatResult() throws {
        try withPool(processes: 2) { pool in
            let fine = try pool.applyAsync { () -> Int in usleep(100_000); return 1 }
            let crash = try pool.applyAsync { () -> Int in
                signal(SIGSEGV, SIG_DFL)
                raise(SIGSEGV)
                return 2
            }
            #expect(throws: PoolError.self) { try crash.get(timeout: 5) }
            if case PoolError.workerDied(_, _, let code)? = (try? crash.get(timeout: 0)).map({ _ in nil }) ?? nil {
                #expect(code == -SIGSEGV)
            }
            #expect(try fine.get(timeout: 5) == 1)
            #expect(try pool.apply { 3 } == 3)
        }
    }

    @Test func fatalErrorInATaskFailsItAndThePoolRecovers() throws {
        try withPool(processes: 2) { pool in
            let doomed = try pool.applyAsync { () -> Int in fatalError("deliberate crash in a task") }
            do {
                _ = try doomed.get(timeout: 5)
                Issue.record("the crashed task should fail")
            } catch let PoolError.workerDied(worker, _, code) {
                #expect(worker.hasPrefix("ForkPoolWorker-"))
                #expect(code == -SIGILL || code == -SIGTRAP)
            }
            #expect(try pool.map(0..<3) { $0 * 10 } == [0, 10, 20])
        }
    }

    @Test func terminateWhileTasksRunLeavesNothingBehind() throws {
        let code = try inFreshProcess {
            let descriptorsBefore = poolDescriptorCount()
            let counters = try PoolCounters()
            let pool = try Pool(processes: 2)
            let running = try (0..<2).map { _ in
                try pool.applyAsync { () -> Int32 in
                    counters.add(0)
                    sleep(30)
                    return getpid()
                }
            }
            guard counters.wait(0, reaches: 2) else { return 1 }
            // The handler thread records a worker just after its fork, which may come after the
            // task has started: allow it a moment (widely: the machine may be busy).
            var pids = activeChildren().compactMap(\.pid)
            for _ in 0..<1000 where pids.count != 2 {
                usleep(5000)
                pids = activeChildren().compactMap(\.pid)
            }
            guard pids.count == 2 else { return 2 }
            pool.terminate()
            for result in running {
                do {
                    _ = try result.get(timeout: 1)
                    return 3
                } catch PoolError.terminated {
                } catch {
                    return 4
                }
            }
            guard poolPidsGone(pids) else { return 5 }
            do { _ = try pool.apply { 1 }; return 6 } catch PoolError.terminated {} catch { return 7 }
            pool.terminate()
            try pool.join()
            guard activeChildren().isEmpty else { return 8 }
            guard poolDescriptorCount() == descriptorsBefore else { return 9 }
            return 0
        }
        #expect(code == 0)
    }

    @Test func poolLeavesNoDescriptorsOrChildrenAfterClose() throws {
        let code = try inFreshProcess {
            let descriptorsBefore = poolDescriptorCount()
            try withPool(processes: 2) { pool in
                _ = try pool.map(0..<100) { $0 }
                _ = try pool.apply { 1 }
            }
            guard activeChildren().isEmpty else { return 1 }
            let pool = try Pool(processes: 2)
            _ = try pool.map(0..<10) { $0 }
            pool.close()
            try pool.join()
            guard activeChildren().isEmpty else { return 2 }
            guard poolDescriptorCount() == descriptorsBefore else { return 3 }
            return 0
        }
        #expect(code == 0)
    }

    @Test func tenThousandTasksNothingLost() throws {
        try withPool(processes: 2) { pool in
            let results = try (0..<10_000).map { i in try pool.applyAsync { i * 2 } }
            var total = 0
            for result in results { total += try result.get(timeout: 10) }
            #expect(total == (0..<10_000).reduce(0) { $0 + $1 * 2 })
            var count = 0
            for _ in try pool.imapUnordered(0..<10_000) { $0 } { count += 1 }
            #expect(count == 10_000)
        }
    }

    @Test func activeChildrenOnAnotherThreadDoesNotConfuseThePool() throws {
        let stop = CallbackBox(false)
        let reaper = try system_startThread {
            while !stop.value { _ = activeChildren(); usleep(200) }
        }
        defer {
            stop.value = true
            system_joinThread(reaper)
        }
        try withPool(processes: 2) { pool in
            for round in 0..<30 {
                let values = try pool.mapAsync(0..<8, chunkSize: 2) { $0 + round }.get(timeout: 5)
                #expect(values == (0..<8).map { $0 + round })
            }
        }
    }

    @Test func moreTasksThanTheTaskRingHolds() throws {
        try withPool(processes: 2) { pool in
            // 40,000 one-item tasks: more than the shared ring's 32,768 slots at once.
            let doubled = try pool.map(0..<40_000, chunkSize: 1) { $0 * 2 }
            #expect(doubled == (0..<40_000).map { $0 * 2 })
            let pairs = try pool.starmapAsync({ (a: Int, b: Int) in a - b }, [(5, 1), (9, 3)]).get(timeout: 5)
            #expect(pairs == [4, 6])
        }
    }

    @Test func resultsLargerThanTheStreamArriveWhole() throws {
        try withPool(processes: 2) { pool in
            let big = try pool.apply { String(repeating: "ab", count: 1_500_000) }
            #expect(big.utf8.count == 3_000_000)
            let many = try pool.map(0..<300_000) { $0 }
            #expect(many == Array(0..<300_000))
        }
    }

    @Test func codableResultsCrossTheBoundary() throws {
        struct Point: Codable, Equatable { var x: Int; var label: String; var tags: [Double] }
        try withPool(processes: 2) { pool in
            let points = try pool.map(0..<50, chunkSize: 8) { i in Point(x: i, label: "p\(i)", tags: [Double(i) / 2]) }
            #expect(points == (0..<50).map { Point(x: $0, label: "p\($0)", tags: [Double($0) / 2]) })
            let optional = try pool.apply { () -> Int? in nil }
            #expect(optional == nil)
            let nested = try pool.apply { ["a": [1, 2], "b": []] }
            #expect(nested == ["a": [1, 2], "b": []])
        }
    }

    @Test func callbacksRunInTheParent() throws {
        let received = CallbackBox<[Int]>([])
        let failure = CallbackBox<String>("")
        try withPool(processes: 2) { pool in
            let mapped = try pool.mapAsync(0..<4, callback: { received.value = $0 }) { $0 + 10 }
            let failing = try pool.applyAsync(errorCallback: { failure.value = "\($0)" }) { () throws -> Int in
                throw PoolTaskFailure(text: "broken")
            }
            mapped.wait(timeout: 5)
            failing.wait(timeout: 5)
            usleep(10_000)  // the callbacks run right after the result is stored
        }
        #expect(received.value == [10, 11, 12, 13])
        #expect(failure.value == "broken")
    }

    // MARK: Lifecycle and bad input

    @Test func closeThenJoinFinishesQueuedWork() throws {
        let pool = try Pool(processes: 2)
        let pending = try pool.mapAsync(0..<20, chunkSize: 1) { (x: Int) -> Int in usleep(2000); return x }
        pool.close()
        #expect(throws: PoolError.closed) { try pool.map(0..<3) { $0 } }
        #expect(throws: PoolError.closed) { try pool.applyAsync { 1 } }
        let workers = activeChildren().filter { $0.name.hasPrefix("ForkPoolWorker-") }.compactMap(\.pid)
        try pool.join()
        #expect(try pending.get(timeout: 0) == Array(0..<20))
        #expect(poolPidsGone(workers, seconds: 0))
    }

    @Test func badInputGivesTypedErrors() throws {
        #expect(throws: PoolError.invalidProcessCount(0)) { try Pool(processes: 0) }
        #expect(throws: PoolError.invalidMaxTasksPerChild(0)) { try Pool(processes: 1, maxTasksPerChild: 0) }
        let pool = try Pool(processes: 1)
        #expect(throws: PoolError.invalidChunkSize(-1)) { try pool.map(0..<3, chunkSize: -1) { $0 } }
        #expect(throws: PoolError.invalidChunkSize(0)) { try pool.imap(0..<3, chunkSize: 0) { $0 } }
        #expect(throws: PoolError.stillRunning) { try pool.join() }
        pool.terminate()
        #expect(throws: PoolError.terminated) { try pool.map(0..<3) { $0 } }
        #expect(throws: PoolError.terminated) { try pool.imapUnordered(0..<3) { $0 } }
        #expect(PoolError.invalidProcessCount(0).description.contains("at least 1"))
    }
}
}
