import CMultiprocessing
import Glibc
import Testing
@testable import Multiprocessing

private func task(_ n: Int) -> Int { n * n }

extension PoolSuites {
@Suite("ProcessPoolExecutor", .serialized)
struct ExecutorTests {
    @Test func seedResults() throws {
        try withProcessPoolExecutor(maxWorkers: 4) { executor in
            let future = try executor.submit(task, 5)
            #expect(try future.result() == 25)
            #expect(try executor.submit({ (a: Int, b: Int) in a + b }, 3, 4).result() == 7)
            #expect(future.done())
            #expect(try executor.map(task, 0..<10).values() == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
            let futures = try (0..<5).map { i in try executor.submit { task(i) } }
            var completed: [Int] = []
            for future in asCompleted(futures) { completed.append(try future.result()) }
            #expect(completed.sorted() == [0, 1, 4, 9, 16])
        }
    }

    @Test func asCompletedYieldsInCompletionOrder() throws {
        try withProcessPoolExecutor(maxWorkers: 3) { executor in
            let delays: [UInt32] = [600_000, 300_000, 0]
            let futures = try delays.enumerated().map { index, delay in
                try executor.submit { () -> Int in usleep(delay); return index }
            }
            let order = try asCompleted(futures, timeout: 5).map { try $0.get().result() }
            #expect(order == [2, 1, 0])
        }
    }

    @Test func mapKeepsOrderAndAppliesTimeout() throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let shifted = try executor.map(0..<100, chunkSize: 7) { $0 - 1 }.values()
            #expect(shifted == Array(-1..<99))
            #expect(throws: ExecutorError.timeout(seconds: 0.1)) {
                try executor.map([1], timeout: 0.1) { (x: Int) -> Int in usleep(1_000_000); return x }.values()
            }
        }
    }

    @Test func errorsAndTimeouts() throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let failing = try executor.submit { () throws -> Int in throw PoolTaskFailure(text: "task failed: 7") }
            let error = try failing.error(timeout: 5)
            #expect((error as? WorkerError)?.message == "task failed: 7")
            #expect(throws: WorkerError.self) { try failing.result() }
            let slow = try executor.submit { () -> Int in usleep(1_500_000); return 1 }
            #expect(throws: ExecutorError.timeout(seconds: 0.05)) { try slow.result(timeout: 0.05) }
            #expect(try executor.submit { 2 }.result(timeout: 5) == 2)
        }
    }

    @Test func cancelOnlyBeforeItRuns() throws {
        let counters = try PoolCounters()
        try withProcessPoolExecutor(maxWorkers: 1) { executor in
            let first = try executor.submit { () -> Int in counters.add(0); usleep(400_000); return 1 }
            let second = try executor.submit { () -> Int in counters.add(1); return 2 }
            #expect(counters.wait(0, reaches: 1))
            #expect(first.running())
            #expect(!first.cancel())
            #expect(second.cancel())
            #expect(second.cancelled())
            #expect(second.done())
            #expect(throws: ExecutorError.cancelled) { try second.result() }
            #expect(try first.result() == 1)
        }
        #expect(counters[1] == 0)
    }

    @Test func waitReturnsWhenAsked() throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let quick = try executor.submit { 1 }
            let slow = try executor.submit { () -> Int in usleep(800_000); return 2 }
            let first = wait([quick, slow], timeout: 5, returnWhen: .firstCompleted)
            #expect(first.done.count >= 1)
            #expect(first.done.contains { $0 === quick })
            let all = wait([quick, slow], timeout: 5)
            #expect(all.done.count == 2 && all.notDone.isEmpty)
            let failing = try executor.submit { () throws -> Int in throw PoolTaskFailure(text: "x") }
            let hanging = try executor.submit { () -> Int in usleep(1_000_000); return 3 }
            let exception = wait([failing, hanging], timeout: 5, returnWhen: .firstException)
            #expect(exception.done.contains { $0 === failing })
            #expect(exception.notDone.contains { $0 === hanging })
            let none = wait([hanging], timeout: 0.01)
            #expect(none.done.isEmpty)
        }
    }

    @Test func doneCallbacksRun() throws {
        let seen = CallbackBox<[Int]>([])
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let future = try executor.submit { 6 * 7 }
            future.addDoneCallback { done in seen.update { $0.append((try? done.result()) ?? -1) } }
            _ = try future.result()
            usleep(10_000)
            future.addDoneCallback { done in seen.update { $0.append((try? done.result()) ?? -1) } }
        }
        #expect(seen.value == [42, 42])
    }

    @Test func deadWorkerBreaksTheExecutor() throws {
        let executor = try ProcessPoolExecutor(maxWorkers: 2)
        let pending = try executor.submit { () -> Int in usleep(300_000); return 1 }
        let killer = try executor.submit { () -> Int in kill(getpid(), SIGKILL); return 0 }
        do {
            _ = try killer.result(timeout: 5)
            Issue.record("the killed task should fail")
        } catch let ExecutorError.brokenProcessPool(reason) {
            #expect(reason.contains("SIGKILL"))
            #expect(reason.contains("ForkPoolWorker-"))
        }
        #expect(throws: ExecutorError.self) { try pending.result(timeout: 5) }
        #expect {
            _ = try executor.submit { 1 }
        } throws: { error in
            if case ExecutorError.brokenProcessPool = error { return true }
            return false
        }
        executor.shutdown()
        #expect(!activeChildren().contains { $0.name.hasPrefix("ForkPoolWorker-") })
    }

    @Test func shutdownRefusesWorkAndCancelsPending() throws {
        let counters = try PoolCounters()
        let executor = try ProcessPoolExecutor(maxWorkers: 1)
        let running = try executor.submit { () -> Int in counters.add(0); usleep(300_000); return 1 }
        let queued = try (0..<3).map { i in try executor.submit { i } }
        #expect(counters.wait(0, reaches: 1))
        executor.shutdown(wait: true, cancelFutures: true)
        #expect(try running.result() == 1)
        #expect(queued.allSatisfy { $0.cancelled() })
        #expect(throws: ExecutorError.shutdown) { try executor.submit { 1 } }
        #expect(throws: ExecutorError.invalidMaxWorkers(0)) { try ProcessPoolExecutor(maxWorkers: 0) }
    }

    @Test func scopedFormWaitsForPendingWork() throws {
        let futures = try withProcessPoolExecutor(maxWorkers: 2) { executor in
            try (0..<4).map { i in try executor.submit { () -> Int in usleep(50_000); return i } }
        }
        #expect(futures.allSatisfy { $0.done() })
        #expect(try futures.map { try $0.result() } == [0, 1, 2, 3])
    }
}
}
