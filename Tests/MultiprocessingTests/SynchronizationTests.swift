import Glibc
import Testing
@testable import Multiprocessing

/// Runs `count` children doing `body(i)` and returns their exit codes.
func runChildren(_ count: Int, _ body: @escaping (Int) throws -> Void) throws -> [Int32?] {
    let children = (0..<count).map { i in Process { try body(i) } }
    for child in children { try child.start() }
    for child in children { try child.join() }
    return children.map(\.exitCode)
}

@Suite("Synchronization", .serialized)
struct SynchronizationTests {
    // MARK: - The seed's counter

    @Test func lockedIncrementsFromFourProcessesAddUp() throws {
        let counter = try Value<Int32>(0)
        let lock = try Lock()
        let codes = try runChildren(4) { _ in
            for _ in 0..<1000 { lock.withLock { counter.value += 1 } }
        }
        #expect(codes == [0, 0, 0, 0])
        #expect(counter.value == 4000)
    }

    @Test func valueGetLockMakesTheUpdateAtomic() throws {
        let counter = try Value<Int>(0)
        let codes = try runChildren(4) { _ in
            for _ in 0..<1000 { counter.getLock().withLock { counter.value += 1 } }
        }
        #expect(codes == [0, 0, 0, 0])
        #expect(counter.value == 4000)
    }

    @Test func unlockedIncrementsMayLoseUpdates() throws {
        let counter = try Value<Int32>(0)
        let codes = try runChildren(4) { _ in
            for _ in 0..<1000 { counter.value += 1 }
        }
        #expect(codes == [0, 0, 0, 0])
        #expect(counter.value <= 4000)
        #expect(counter.value >= 1000)
    }

    // MARK: - Semaphore, Event, Condition, Barrier

    @Test func semaphoreAdmitsAtMostItsValue() throws {
        let slots = try Semaphore(2)
        let holders = try Value<Int32>(0)
        let most = try Value<Int32>(0)
        let codes = try runChildren(5) { _ in
            for _ in 0..<20 {
                slots.withLock {
                    holders.getLock().withLock {
                        holders.value += 1
                        if holders.value > most.value { most.value = holders.value }
                    }
                    usleep(200)
                    holders.getLock().withLock { holders.value -= 1 }
                }
            }
        }
        #expect(codes == [0, 0, 0, 0, 0])
        #expect(most.value <= 2)
        #expect(most.value >= 1)
        #expect(slots.getValue() == 2)
    }

    @Test func semaphoreTimesOutAndBoundedSemaphoreRefusesOverRelease() throws {
        let semaphore = try Semaphore(1)
        #expect(try semaphore.acquire())
        #expect(try !semaphore.acquire(block: false))
        #expect(try !semaphore.acquire(timeout: 0.05))
        try semaphore.release()
        try semaphore.release()
        #expect(semaphore.getValue() == 2)  // a plain Semaphore may grow, as in Python
        let bounded = try BoundedSemaphore(1)
        #expect(throws: SynchronizationError.releasedTooManyTimes(limit: 1)) { try bounded.release() }
        try bounded.acquire()
        try bounded.release()
        #expect(bounded.getValue() == 1)
    }

    @Test func eventWakesWaitersInOtherProcesses() throws {
        let event = try Event()
        #expect(!event.isSet())
        #expect(!event.wait(timeout: 0.02))
        let waiters = (0..<3).map { _ in Process { system_exit(event.wait(timeout: 4) ? 0 : 9) } }
        for waiter in waiters { try waiter.start() }
        usleep(50_000)
        event.set()
        for waiter in waiters { try waiter.join() }
        #expect(waiters.map(\.exitCode) == [0, 0, 0])
        #expect(event.isSet())
        event.clear()
        #expect(!event.isSet())
    }

    @Test func conditionHandsItemsToAnotherProcess() throws {
        let condition = try Condition()
        let items = try Value<Int32>(0, lock: false)
        let consumed = try Value<Int32>(0, lock: false)
        let consumer = Process {
            for _ in 0..<50 {
                try condition.withLock {
                    guard try condition.wait(for: { items.value > 0 }, timeout: 4) else { system_exit(5) }
                    items.value -= 1
                    consumed.value += 1
                    try condition.notifyAll()
                }
            }
        }
        try consumer.start()
        for _ in 0..<50 {
            try condition.withLock {
                _ = try condition.wait(for: { items.value < 3 }, timeout: 4)
                items.value += 1
                try condition.notify()
            }
        }
        try consumer.join()
        #expect(consumer.exitCode == 0)
        #expect(consumed.value == 50)
        #expect(items.value == 0)
    }

    @Test func conditionWaitTimesOutAndNeedsTheLock() throws {
        let condition = try Condition(lock: try Lock())
        #expect(throws: SynchronizationError.notHeld) { try condition.wait(timeout: 0.01) }
        let notified = try condition.withLock { try condition.wait(timeout: 0.05) }
        #expect(!notified)
    }

    @Test func barrierReleasesAllPartiesWithDistinctIndices() throws {
        let actions = try Value<Int32>(0)
        let barrier = try Barrier(parties: 4, action: { actions.value += 1 })
        let indices = try SharedArray<Int32>(repeating: -1, count: 4)
        let children = (0..<3).map { i in
            Process { for _ in 0..<3 { indices[i] = Int32(try barrier.wait(timeout: 4)) } }
        }
        for child in children { try child.start() }
        var mine = 0
        for _ in 0..<3 { mine = try barrier.wait(timeout: 4) }
        for child in children { try child.join() }
        let codes = children.map(\.exitCode)
        indices[3] = Int32(mine)
        #expect(codes == [0, 0, 0])
        #expect(Set(indices[...]) == [0, 1, 2, 3])
        #expect(actions.value == 3)
        #expect(barrier.nWaiting == 0)
    }

    @Test func barrierTimeoutBreaksItUntilReset() throws {
        #expect(throws: BarrierError.invalidParties(0)) { try Barrier(parties: 0) }
        let barrier = try Barrier(parties: 2)
        #expect(throws: BarrierError.broken) { try barrier.wait(timeout: 0.05) }
        #expect(barrier.broken)
        #expect(throws: BarrierError.broken) { try barrier.wait(timeout: 1) }
        try barrier.reset()
        #expect(!barrier.broken)
        let other = Process { _ = try barrier.wait(timeout: 4) }
        try other.start()
        _ = try barrier.wait(timeout: 4)
        try other.join()
        #expect(other.exitCode == 0)
        try barrier.abort()
        #expect(throws: BarrierError.broken) { try barrier.wait() }
        #expect(try Barrier(parties: 1).wait() == 0)
    }

    // MARK: - Dead holders

    @Test func killedLockHolderIsReportedToTheNextAcquirer() throws {
        let lock = try Lock()
        let holding = try Event()
        let holder = Process {
            try lock.acquire()
            holding.set()
            sleep(30)
        }
        try holder.start()
        #expect(holding.wait(timeout: 4))
        #expect(try !lock.acquire(timeout: 0.05))
        try holder.kill()
        // Not joined yet: the dead holder is a zombie, which still "exists" for kill(pid, 0).
        #expect(throws: SynchronizationError.previousHolderDied(pid: holder.pid!)) { try lock.acquire(timeout: 4) }
        try holder.join()
        #expect(try lock.acquire(timeout: 1))  // recovered
        try lock.release()
    }

    @Test func semaphoreUnitOfAKilledScopedHolderIsGivenBackAndReported() throws {
        let semaphore = try Semaphore(1)
        let holding = try Event()
        let holder = Process {
            semaphore.withLock {
                holding.set()
                sleep(30)
            }
        }
        try holder.start()
        #expect(holding.wait(timeout: 4))
        #expect(try !semaphore.acquire(timeout: 0.05))
        try holder.kill()
        #expect(throws: SynchronizationError.previousHolderDied(pid: holder.pid!)) { try semaphore.acquire(timeout: 4) }
        try holder.join()
        #expect(semaphore.getValue() == 1)  // the unit is back
        #expect(try semaphore.acquire(timeout: 1))
        try semaphore.release()
    }

    @Test func semaphoreUnitsTakenWithAcquireHaveNoOwner() throws {
        // As in Python: a unit taken with acquire() may be released by another process, and
        // one whose taker ended is not given back.
        let semaphore = try Semaphore(1)
        let taker = Process { try semaphore.acquire() }
        try taker.start()
        try taker.join()
        #expect(taker.exitCode == 0)
        #expect(try !semaphore.acquire(timeout: 0.2))
        try semaphore.release()
        #expect(try semaphore.acquire(timeout: 1))
    }

    @Test func contendersSurviveAHolderKilledMidRun() throws {
        let lock = try Lock()
        let counter = try Value<Int>(0, lock: false)
        let reports = try Value<Int>(0)
        let victim = Process { while true { lock.withLock { counter.value += 1 } } }
        let workers = (0..<2).map { _ in
            Process {
                var done = 0
                while done < 200_000 {
                    do {
                        try lock.acquire()
                        counter.value += 1
                        try lock.release()
                        done += 1
                    } catch SynchronizationError.previousHolderDied {
                        reports.value += 1
                    }
                }
            }
        }
        try victim.start()
        for worker in workers { try worker.start() }
        usleep(20_000)
        try victim.kill()
        for worker in workers { try worker.join() }
        try victim.join()
        #expect(workers.allSatisfy { $0.exitCode == 0 })
        #expect(counter.value >= 400_000)
        // If the victim died holding the lock, exactly one acquirer hears of it: a worker, or
        // (when the workers had already finished) this process now.
        var reported = reports.value
        do {
            try lock.acquire(timeout: 1)
        } catch SynchronizationError.previousHolderDied(let pid) {
            #expect(pid == victim.pid)
            reported += 1
            #expect(try lock.acquire(timeout: 1))
        }
        try lock.release()
        #expect(reported <= 1)
    }

    @Test func withLockRecoversFromADeadHolder() throws {
        let lock = try Lock()
        let value = try Value<Int>(0)
        let holding = try Event()
        let holder = Process {
            lock.withLock {
                holding.set()
                sleep(30)
            }
        }
        try holder.start()
        #expect(holding.wait(timeout: 4))
        try holder.kill()
        try holder.join()
        // Reported on standard error, not thrown: withLock rethrows only its body's errors.
        lock.withLock { value.value = 5 }
        value.getLock().withLock { value.value += 1 }
        #expect(value.value == 6)
        #expect(try lock.acquire(block: false))
        try lock.release()
    }

    @Test func killedRLockHolderIsReportedToTheNextAcquirer() throws {
        let lock = try RLock()
        let holding = try Event()
        let holder = Process {
            try lock.acquire()
            try lock.acquire()
            holding.set()
            sleep(30)
        }
        try holder.start()
        #expect(holding.wait(timeout: 4))
        try holder.kill()
        try holder.join()
        #expect(throws: SynchronizationError.previousHolderDied(pid: holder.pid!)) { try lock.acquire() }
        #expect(try lock.acquire(block: false))
        #expect(try lock.acquire(block: false))  // re-entrant
        try lock.release()
        try lock.release()
        #expect(throws: SynchronizationError.notHeld) { try lock.release() }
    }

    // MARK: - Bad input

    @Test func badInputIsRejectedWithTypedErrors() throws {
        #expect(throws: SynchronizationError.negativeSemaphoreValue(-1)) { try Semaphore(-1) }
        #expect(throws: SynchronizationError.negativeSemaphoreValue(-3)) { try BoundedSemaphore(-3) }
        let array = try SharedArray<Double>([1, 2, 3])
        #expect(throws: SharedMemoryError.indexOutOfRange(index: 3, count: 3)) { try array.get(3) }
        #expect(throws: SharedMemoryError.indexOutOfRange(index: -1, count: 3)) { try array.set(-1, 0) }
        #expect(throws: SharedMemoryError.negativeCount(-2)) { try SharedArray<Int32>(repeating: 0, count: -2) }
        let lock = try Lock()
        #expect(throws: SynchronizationError.releasedUnlocked) { try lock.release() }
        try lock.acquire()
        #expect(throws: SynchronizationError.wouldDeadlock) { try lock.acquire() }
        #expect(try !lock.acquire(timeout: 0.02))
        try lock.release()
    }

    @Test func childReleasingSharedObjectsLeavesTheParentsMappingAlone() throws {
        final class Holder: @unchecked Sendable { var value: Value<Int>? }
        let holder = Holder()
        holder.value = try Value<Int>(1)
        let report = try Value<Int>(0)
        let child = Process {
            holder.value!.value = 2
            holder.value = nil  // the child's last reference: its own mapping is unmapped here
            let scratch = try Value<Int>(9)
            report.value = scratch.value + 1
        }
        try child.start()
        try child.join()
        #expect(child.exitCode == 0)
        #expect(holder.value?.value == 2)  // still mapped (and shared) in the parent
        #expect(report.value == 10)
    }

    @Test func subscriptOutOfRangeTrapsLikeASwiftArray() throws {
        let array = try SharedArray<Int32>([1, 2, 3])
        let child = Process { _ = array[3] }
        try child.start()
        try child.join()
        #expect((child.exitCode ?? 0) < 0)  // killed by the trap's signal
        #expect(array[2] == 3)
    }

    @Test func sharedArrayIsSharedAndCopiesOut() throws {
        let array = try SharedArray<Int>(repeating: 0, count: 10)
        let codes = try runChildren(2) { i in
            for j in stride(from: i, to: 10, by: 2) { array[j] = j * j }
        }
        #expect(codes == [0, 0])
        #expect(array[...] == (0..<10).map { $0 * $0 })
        #expect(Array(array) == array.copy())
        #expect(array.count == 10)
        let flags = try Value<Bool>(false)
        let ratio = try Value<Double>(0.5)
        try runChildren(1) { _ in flags.value = true; ratio.value *= 3 }.forEach { #expect($0 == 0) }
        #expect(flags.value)
        #expect(ratio.value == 1.5)
    }
}
