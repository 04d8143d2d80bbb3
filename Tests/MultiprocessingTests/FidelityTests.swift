import Glibc
import Testing
@testable import Multiprocessing

/// Behaviours that once differed from CPython's `multiprocessing` / `concurrent.futures`.
@Suite("Python fidelity", .serialized)
struct FidelityTests {
    // MARK: - Process

    @Test func daemonCannotChangeAfterStart() throws {
        let running = Process { sleep(10) }
        running.daemon = true  // before start: allowed
        running.daemon = false
        try running.start()
        defer { try? running.kill(); try? running.join() }
        // The setter traps (Python: AssertionError); do it in a child so the trap is observable.
        let child = Process { running.daemon = true }
        try child.start()
        try child.join()
        #expect((child.exitCode ?? 0) < 0)
        #expect(!running.daemon)
    }

    @Test func daemonicProcessesHaveNoChildren() throws {
        let daemon = Process(name: "d", daemon: true) {
            do {
                try Process { }.start()
                system_exit(2)
            } catch ProcessError.daemonicParent(name: "d") {
                system_exit(3)
            }
        }
        try daemon.start()
        try daemon.join()
        #expect(daemon.exitCode == 3)
        #expect(ProcessError.daemonicParent(name: "d").description.contains("daemonic processes are not allowed to have children"))
    }

    @Test func closedProcessKeepsItsTrueStateAndRefusesUse() throws {
        let p = Process { exit(4) }
        try p.start()
        try p.join()
        let pid = p.pid
        try p.close()
        #expect(p.exitCode == 4)
        #expect(p.pid == pid && p.ident == pid)
        #expect(!p.isAlive)
        #expect(throws: ProcessError.closed(name: p.name)) { try p.join() }
        #expect(throws: ProcessError.closed(name: p.name)) { try p.start() }
    }

    @Test func identIsPidAndSubclassesNameThemselves() throws {
        final class Cruncher: Process, @unchecked Sendable {}
        let plain = Process { }
        let cruncher = Cruncher()
        #expect(plain.name.hasPrefix("Process-"))
        #expect(cruncher.name.hasPrefix("Cruncher-"))
        #expect(cruncher.name.dropFirst("Cruncher-".count).allSatisfy { $0.isNumber || $0 == ":" })
        #expect(Cruncher(name: "mine").name == "mine")
        #expect(plain.ident == nil)
        try plain.start()
        #expect(plain.ident != nil && plain.ident == plain.pid)
        try plain.join()
    }

    // MARK: - Shared memory

    @Test func valuesCanShareAGivenLock() throws {
        let lock = try RLock()
        let a = try Value<Int32>(0, lock: lock)
        let b = try Value<Int32>(0, lock: lock)
        #expect(a.getLock() === lock && b.getLock() === lock)
        let codes = try runChildren(2) { _ in
            for _ in 0..<500 {
                lock.withLock {
                    a.value += 1
                    b.value -= 1
                    if a.value + b.value != 0 { system_exit(9) }  // no one sees a half update
                }
            }
        }
        #expect(codes == [0, 0])
        #expect(a.value == 1000 && b.value == -1000)
    }

    @Test func valueDefaultsToZero() throws {
        #expect(try Value<Int32>().value == 0)
        #expect(try Value<Double>().value == 0)
        #expect(try Value<Bool>(lock: false).value == false)
        let counter = try Value<Int>()
        #expect(try runChildren(1) { _ in counter.value += 7 } == [0])
        #expect(counter.value == 7)
    }

    @Test func sharedArraySlicesReadAndWrite() throws {
        let array = try SharedArray<Int32>([0, 1, 2, 3, 4])
        #expect(array[1..<3] == [1, 2])
        #expect(array[3...] == [3, 4])
        #expect(array[..<2] == [0, 1])
        #expect(try runChildren(1) { _ in array[1...2] = [10, 20] } == [0])
        #expect(array[...] == [0, 10, 20, 3, 4])
        array[...] = [5, 6, 7, 8, 9]
        #expect(array.copy() == [5, 6, 7, 8, 9])
        let wrongLength = Process { array[0..<2] = [1] }
        let outOfBounds = Process { _ = array[4..<6] }
        for child in [wrongLength, outOfBounds] {
            try child.start()
            try child.join()
            #expect((child.exitCode ?? 0) < 0)  // trapped, as a Swift array does
        }
        let shared = try RLock()
        let locked = try SharedArray<Double>([1, 2], lock: shared)
        #expect(locked.getLock() === shared)
    }

    // MARK: - Condition

    @Test func notifyWithoutTheLockIsAnError() throws {
        for condition in [try Condition(), try Condition(lock: try Lock())] {
            #expect(throws: SynchronizationError.notHeld) { try condition.notify() }
            #expect(throws: SynchronizationError.notHeld) { try condition.notifyAll() }
            try condition.withLock {
                try condition.notify()
                try condition.notifyAll()
            }
        }
    }

    @Test func notifyOneWakesExactlyOne() throws {
        // Two processes wait; the parent spins on the lock and notifies one the moment the
        // second has released it, catching that one between releasing the lock and sleeping
        // as often as it can. Exactly one may wake each round.
        let condition = try Condition()
        let arrived = try Value<Int32>(0, lock: false)
        let woken = try Value<Int32>(0, lock: false)
        let round = try Value<Int32>(0, lock: false)
        let rounds: Int32 = 150
        let waiters = try (0..<2).map { _ in
            Process {
                for r in 0..<rounds {
                    while round.value != r { usleep(50) }
                    try condition.withLock {
                        arrived.value += 1
                        if try condition.wait(timeout: 10) { woken.value += 1 }
                    }
                }
            }
        }
        for waiter in waiters { try waiter.start() }
        var overWoken = 0
        for r in 0..<rounds {
            while arrived.value < 2 * (r + 1) {}
            while try !condition.acquire(block: false) {}
            try condition.notify()
            try condition.release()
            let deadline = monotonicNanoseconds() + 5_000_000_000
            while condition.withLock({ woken.value }) < 2 * r + 1, monotonicNanoseconds() < deadline { usleep(50) }
            usleep(5_000)  // time for a second, wrongly woken waiter to show
            if condition.withLock({ woken.value }) - 2 * r != 1 { overWoken += 1 }
            try condition.withLock { try condition.notifyAll() }
            while condition.withLock({ woken.value }) < 2 * (r + 1) { usleep(50) }
            round.value = r + 1
        }
        for waiter in waiters { try waiter.join() }
        #expect(waiters.map(\.exitCode) == [0, 0])
        #expect(overWoken == 0)
    }

    @Test func notifyNeverWakesALaterWaiter() throws {
        let condition = try Condition()
        let waiting = try Value<Int32>(0, lock: false)
        let early = Process {
            try condition.withLock {
                waiting.value = 1
                if try !condition.wait(timeout: 10) { system_exit(3) }
            }
        }
        try early.start()
        while condition.withLock({ waiting.value }) == 0 { usleep(100) }
        // Notify, then wait at once ourselves: the token is the earlier waiter's.
        let lateWasWoken = try condition.withLock {
            try condition.notify()
            return try condition.wait(timeout: 0.5)
        }
        try early.join()
        #expect(!lateWasWoken)
        #expect(early.exitCode == 0)
    }

    // MARK: - Pools and executors

    @Test func asyncResultCallbackRunsBeforeGetReturns() throws {
        let effect = CallbackBox<Int>(0)
        try withPool(processes: 1) { pool in
            let result = try pool.applyAsync(callback: { value in
                usleep(300_000)
                effect.value = value
            }) { 42 }
            #expect(try result.get() == 42)
            #expect(effect.value == 42)
            let failing = try pool.applyAsync(errorCallback: { _ in
                usleep(300_000)
                effect.value = -1
            }) { () throws -> Int in throw PoolTaskFailure(text: "no") }
            failing.wait()
            #expect(effect.value == -1)
        }
    }

    @Test func imapLoopYieldsFailuresAndGoesOn() throws {
        try withPool(processes: 2) { pool in
            var values: [Int] = []
            var failures: [String] = []
            for result in try pool.imap(0..<4, { (x: Int) throws -> Int in
                if x == 1 { throw PoolTaskFailure(text: "bad item 1") }
                return x * 10
            }) {
                switch result {
                case .success(let value): values.append(value)
                case .failure(let error): failures.append("\(error)")
                }
            }
            #expect(values == [0, 20, 30])
            #expect(failures.count == 1 && failures[0].contains("bad item 1"))
        }
    }

    @Test func asCompletedWithATimeoutYieldsTheTimeoutAndEnds() throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let quick = try executor.submit { 1 }
            let slow = try executor.submit { () -> Int in usleep(2_000_000); return 2 }
            var yielded: [Result<Future<Int>, ExecutorError>] = []
            for element in asCompleted([quick, slow], timeout: 0.5) { yielded.append(element) }
            #expect(yielded.count == 2)
            #expect(try yielded.first?.get() === quick)
            #expect(throws: ExecutorError.timeout(seconds: 0.5)) { try yielded.last?.get() }
            // `wait` resolves to the futures' overload beside Glibc's `wait(_:)`.
            let (done, notDone) = wait([quick, slow], timeout: 5)
            #expect(done.count == 2 && notDone.isEmpty)
        }
    }

    @Test func executorMapIsLazyTakesSeveralSequencesAndTimesOutWhileIterating() throws {
        try withProcessPoolExecutor(maxWorkers: 2) { executor in
            let start = monotonicNanoseconds()
            let results = try executor.map({ (x: Int) -> Int in
                if x == 3 { usleep(1_500_000) }
                return x * x
            }, 0..<4)
            #expect(monotonicNanoseconds() - start < 1_000_000_000)  // returned before the slow task ended
            #expect(try results.next()?.get() == 0)
            #expect(monotonicNanoseconds() - start < 1_000_000_000)  // the first result came first
            #expect(try results.values() == [1, 4, 9])
            #expect(try executor.map(+, [1, 2, 3], [10, 20]).values() == [11, 22])
            #expect(try executor.map({ (a: Int, b: String, c: Bool) in "\(a)\(b)\(c)" }, [1, 2], ["x", "y"], [true, false], chunkSize: 2).values() == ["1xtrue", "2yfalse"])
            let timed = try executor.map([0, 1], timeout: 0.3) { (x: Int) -> Int in
                if x == 1 { usleep(2_000_000) }
                return x
            }
            var seen: [Result<Int, any Error>] = []
            for result in timed { seen.append(result) }
            #expect(seen.count == 2)
            #expect(try seen[0].get() == 0)
            #expect(throws: ExecutorError.timeout(seconds: 0.3)) { try seen[1].get() }
        }
    }

    // MARK: - Queues

    @Test func queueEmptyIsOneErrorForLocalAndManagerQueues() throws {
        let local = try Queue<String>()
        #expect(throws: QueueError.empty) { try local.get(timeout: 0.01) }
        try withManager { manager in
            let remote = try manager.queue(String.self)
            #expect(throws: QueueError.empty) { try remote.get(timeout: 0.01) }
            #expect(throws: QueueError.empty) { try remote.getNowait() }
            let joinable = try manager.joinableQueue(String.self)
            #expect(throws: QueueError.taskDoneTooManyTimes) { try joinable.taskDone() }
        }
    }

    @Test func fiftyMegabyteItemMovesAtMemorySpeedAndNeverHangsInOneProcess() throws {
        let queue = try Queue<[UInt8]>()
        let item = [UInt8](repeating: 0xA5, count: 50_000_000)
        // One process: Python's put then get works; ours once waited for a reader forever.
        var start = monotonicNanoseconds()
        try queue.put(item, timeout: 5)
        let back = try queue.get(timeout: 5)
        let oneProcess = Double(monotonicNanoseconds() - start) / 1e9
        #expect(back == item)
        // Two processes.
        let producer = Process { try queue.put(item) }
        start = monotonicNanoseconds()
        try producer.start()
        let received = try queue.get(timeout: 10)
        let twoProcesses = Double(monotonicNanoseconds() - start) / 1e9
        try producer.join()
        #expect(received == item)
        #expect(producer.exitCode == 0)
        // Memory speed is tens of milliseconds; the streaming it replaced took about 10 s.
        #expect(oneProcess < 3 && twoProcesses < 3, "one process \(oneProcess) s, two \(twoProcesses) s")
        #expect(system_directoryEntries(sharedSegmentDirectory, prefix: "learn-mp-\(getpid())-").isEmpty)
    }

    @Test func aFullBoundedQueueSaysFullForALargeItem() throws {
        let queue = try Queue<[UInt8]>(maxSize: 1)
        try queue.put([1])
        let big = [UInt8](repeating: 1, count: 200_000)  // larger than the bounded queue's ring
        #expect(throws: QueueError.full) { try queue.put(big, timeout: 0.05) }
        #expect(try queue.get() == [1])
        try queue.put(big, timeout: 1)
        #expect(try queue.get() == big)
        #expect(system_directoryEntries(sharedSegmentDirectory, prefix: "learn-mp-\(getpid())-").isEmpty)
    }
}
