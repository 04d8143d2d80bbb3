import CMultiprocessing
import Glibc
import Testing
@testable import Multiprocessing

// Named tasks: file-scope types the workers find by name.

struct Square: PoolTask {
    func callAsFunction(_ x: Int) -> Int { x * x }
}

struct Add: PairTask {
    func callAsFunction(_ a: Int, _ b: Int) -> Int { a + b }
}

struct Scale: PoolTask {
    let factor: Double
    func callAsFunction(_ x: Double) -> Double { x * factor }
}

/// Returns the pid of the worker that ran it, after a short pause so work spreads out.
struct WorkerPid: PoolTask {
    var pauseMicroseconds: UInt32 = 2_000
    func callAsFunction(_ item: Int) -> Int32 {
        usleep(pauseMicroseconds)
        return getpid()
    }
}

struct WorkerPidOfPair: PairTask {
    func callAsFunction(_ a: Int, _ b: String) -> Int32 {
        usleep(2_000)
        return getpid()
    }
}

/// A Codable error: it reaches the caller as itself.
struct TaskRejected: Error, Codable, Equatable {
    let item: Int
    let reason: String
}

struct RejectSeven: PoolTask {
    func callAsFunction(_ x: Int) throws -> Int {
        if x == 7 { throw TaskRejected(item: x, reason: "seven is not allowed") }
        return x
    }
}

/// A non-Codable error: it reaches the caller as a WorkerError.
struct RejectSevenPlainly: PoolTask {
    func callAsFunction(_ x: Int) throws -> Int {
        if x == 7 { throw PoolTaskFailure(text: "bad item 7") }
        return x
    }
}

struct KillSelfOn: PoolTask {
    let item: Int
    func callAsFunction(_ x: Int) -> Int {
        if x == item { kill(getpid(), SIGKILL) }
        usleep(1_000)
        return x
    }
}

struct Outer {
    struct Nested: PoolTask {
        func callAsFunction(_ text: String) -> String { text.uppercased() }
    }
}

/// Counts initializer runs in slot 0 and records each worker's pid in slots 1…
func recordingInitializer(_ counters: PoolCounters) -> () throws -> Void {
    {
        let index = Int(counters.add(0))
        counters.add(index, Int64(getpid()))
    }
}

/// Python's worker names: ForkPoolWorker-N, SpawnPoolWorker-N, ForkServerPoolWorker-N.
func workerPrefix(_ method: StartMethod) -> String {
    switch method {
    case .fork: "ForkPoolWorker"
    case .spawn: "SpawnPoolWorker"
    case .forkserver: "ForkServerPoolWorker"
    }
}

func initializedPids(_ counters: PoolCounters) -> Set<Int32> {
    Set((1...Int(counters[0])).map { Int32(counters[$0]) })
}

@Suite("Type names")
struct TypeNameTests {
    @Test func fileScopeNestedAndGenericTypesRoundTrip() {
        for type in [Square.self, Outer.Nested.self, [Int].self, Dictionary<String, Double>.self, TaskRejected.self] as [Any.Type] {
            let name = TypeNames.name(of: type)
            #expect(name != nil)
            if let name { #expect(TypeNames.type(named: name).map(ObjectIdentifier.init) == ObjectIdentifier(type)) }
        }
    }

    @Test func unknownNamesAreNil() {
        #expect(TypeNames.type(named: "") == nil)
        #expect(TypeNames.type(named: "this is not a mangled name") == nil)
        #expect(TypeNames.readableName(of: Square.self).hasSuffix(".Square"))
    }
}

extension PoolSuites {
@Suite("Named tasks", .serialized)
struct NamedTaskTests {
    @Test(arguments: StartMethod.allCases) func everyCallHasItsPythonTwin(method: StartMethod) throws {
        try withPool(processes: 4, context: getContext(method)) { pool throws in
            #expect(try pool.map(Square(), 0..<10) == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
            #expect(try pool.mapAsync(Square(), 0..<5).get() == [0, 1, 4, 9, 16])
            #expect(try pool.apply(Add(), (1, 2)) == 3)
            #expect(try pool.applyAsync(Add(), (3, 4)).get() == 7)
            #expect(try pool.apply(Square(), 9) == 81)
            #expect(try pool.applyAsync(Square(), 12).get() == 144)
            #expect(try pool.starmap(Add(), [(1, 2), (3, 4), (5, 6)]) == [3, 7, 11])
            #expect(try pool.starmapAsync(Add(), [(10, 20)]).get() == [30])
            #expect(try pool.imap(Square(), 0..<5).map { try $0.get() } == [0, 1, 4, 9, 16])
            #expect(try pool.imapUnordered(Square(), 0..<5).map { try $0.get() }.sorted() == [0, 1, 4, 9, 16])
            #expect(try pool.map(Scale(factor: 2.5), [1.0, 2.0]) == [2.5, 5.0])
            #expect(try pool.map(Outer.Nested(), ["a", "bc"]) == ["A", "BC"])
            #expect(try pool.map(Square(), [Int]()) == [])
        }
    }

    @Test(arguments: StartMethod.allCases) func chunkSizesKeepOrder(method: StartMethod) throws {
        try withPool(processes: 3, context: getContext(method)) { pool throws in
            for size in [1, 2, 7, 100, 1000] {
                #expect(try pool.map(Square(), 0..<300, chunkSize: size) == (0..<300).map { $0 * $0 })
                #expect(try pool.starmap(Add(), (0..<50).map { ($0, 1) }, chunkSize: size) == Array(1...50))
            }
        }
    }

    /// The acceptance check: one Pool(4) through every call shows 4 workers, initialized once each.
    @Test func onePoolIsItsFourWorkers() throws {
        let counters = try PoolCounters(16)
        var pids: [Int32] = []
        try withPool(processes: 4, initializer: recordingInitializer(counters)) { pool throws in
            pids += try pool.map(WorkerPid(), 0..<40, chunkSize: 1)
            pids += try pool.mapAsync(WorkerPid(), 0..<40, chunkSize: 1).get()
            pids.append(try pool.apply(WorkerPid(), 0))
            pids += try (0..<20).map { try pool.applyAsync(WorkerPid(), $0) }.map { try $0.get() }
            pids += try pool.starmap(WorkerPidOfPair(), (0..<40).map { ($0, "x") }, chunkSize: 1)
            for pid in try pool.imap(WorkerPid(), 0..<40) { pids.append(try pid.get()) }
            for pid in try pool.imapUnordered(WorkerPid(), 0..<40) { pids.append(try pid.get()) }
            #expect(counters.wait(0, reaches: 4))
        }
        #expect(counters[0] == 4)
        let workers = initializedPids(counters)
        #expect(workers.count == 4)
        #expect(Set(pids).isSubset(of: workers))
        #expect(Set(pids).count >= 2)
    }

    @Test func executorIsItsFourWorkers() throws {
        let counters = try PoolCounters(16)
        var pids: [Int32] = []
        try withProcessPoolExecutor(maxWorkers: 4, initializer: recordingInitializer(counters)) { executor throws in
            pids += try (0..<30).map { try executor.submit(WorkerPid(), $0) }.map { try $0.result() }
            pids += try (0..<10).map { try executor.submit(WorkerPidOfPair(), $0, "y") }.map { try $0.result() }
            pids += try executor.map(WorkerPid(), 0..<40).values()
            pids += try executor.map(WorkerPid(), 0..<40, chunkSize: 5).values()
            #expect(counters.wait(0, reaches: 4))
        }
        #expect(counters[0] == 4)
        let workers = initializedPids(counters)
        #expect(workers.count == 4)
        #expect(Set(pids).isSubset(of: workers))
    }

    @Test(arguments: [StartMethod.spawn, .forkserver]) func aPoolThatDoesNotForkIsItsFourWorkers(method: StartMethod) throws {
        var names: [String] = []
        try withPool(processes: 4, context: getContext(method)) { pool in
            names += try pool.map(WorkerName(), 0..<40, chunkSize: 1)
            names += try pool.mapAsync(WorkerName(), 0..<20, chunkSize: 1).get()
            names.append(try pool.apply(WorkerName(), 0))
            names += try (0..<20).map { try pool.applyAsync(WorkerName(), $0) }.map { try $0.get() }
            for name in try pool.imap(WorkerName(), 0..<20) { names.append(try name.get()) }
            for name in try pool.imapUnordered(WorkerName(), 0..<20) { names.append(try name.get()) }
        }
        #expect(Set(names).isSubset(of: (1...4).map { "\(workerPrefix(method))-\($0)" }))
        var executorNames: [String] = []
        try withProcessPoolExecutor(maxWorkers: 4, context: getContext(method)) { executor in
            executorNames += try executor.map(WorkerName(), 0..<20).values()
            executorNames.append(try executor.submit(WorkerName(), 1).result())
        }
        #expect(Set(executorNames).isSubset(of: (1...4).map { "\(workerPrefix(method))-\($0)" }))
    }

    @Test(arguments: [StartMethod.spawn, .forkserver]) func closuresAreRefusedUnlessForked(method: StartMethod) throws {
        #expect(throws: PoolError.closureNeedsFork) { try Pool(processes: 1, initializer: {}, context: getContext(method)) }
        #expect(throws: PoolError.closureNeedsFork) {
            try ProcessPoolExecutor(maxWorkers: 1, initializer: {}, context: getContext(method))
        }
        try withPool(processes: 1, context: getContext(method)) { pool throws in
            #expect(throws: PoolError.closureNeedsFork) { try pool.map(0..<3) { $0 } }
            #expect(throws: PoolError.closureNeedsFork) { try pool.apply { 1 } }
            #expect(throws: PoolError.closureNeedsFork) { try pool.imap(0..<3) { $0 } }
            #expect(try pool.apply(Square(), 3) == 9)
        }
        try withProcessPoolExecutor(maxWorkers: 1, context: getContext(method)) { executor throws in
            #expect(throws: PoolError.closureNeedsFork) { try executor.submit { 1 } }
            #expect(throws: PoolError.closureNeedsFork) { try executor.map(0..<3) { $0 } }
            #expect(try executor.submit(Square(), 4).result() == 16)
        }
    }

    @Test(arguments: StartMethod.allCases) func closeAndTerminateLeaveNothingBehind(method: StartMethod) throws {
        let code = try inFreshProcess {
            let descriptorsBefore = poolDescriptorCount()
            var pids: Set<Int32> = []
            let pool = try Pool(processes: 2, context: getContext(method))
            pids.formUnion(try pool.map(WorkerPid(), 0..<20, chunkSize: 1))
            pool.close()
            try pool.join()
            guard poolPidsGone(pids) else { return 1 }
            let busy = try Pool(processes: 2, context: getContext(method))
            let slow = try busy.mapAsync(WorkerPid(pauseMicroseconds: 2_000_000), 0..<4, chunkSize: 1)
            usleep(100_000)
            busy.terminate()
            guard case .failure = Result(catching: { try slow.get(timeout: 5) }) else { return 2 }
            guard poolDescriptorCount() == descriptorsBefore else { return 3 }
            return 0
        }
        #expect(code == 0)
    }

    @Test(arguments: StartMethod.allCases) func aDeadWorkerBreaksTheExecutor(method: StartMethod) throws {
        try withProcessPoolExecutor(maxWorkers: 2, context: getContext(method)) { executor throws in
            let futures = try (0..<6).map { try executor.submit(KillSelfOn(item: 2), $0) }
            #expect {
                for future in futures { _ = try future.result(timeout: 10) }
            } throws: { error in
                if case ExecutorError.brokenProcessPool = error { return true }
                return false
            }
            #expect(throws: ExecutorError.self) { try executor.submit(Square(), 1) }
        }
    }

    @Test func theStartMethodIsChosenOnce() throws {
        try setStartMethod(.fork, force: true)
        #expect(throws: StartMethodAlreadySet(current: .fork)) { try setStartMethod(.spawn) }
        #expect(getStartMethod() == .fork)
        #expect(getContext() == getContext(.fork))
        #expect(getContext(.spawn).startMethod == .spawn)
    }

    @Test func workersStartWithThePool() throws {
        let counters = try PoolCounters(16)
        let pool = try Pool(processes: 3, initializer: recordingInitializer(counters))
        #expect(counters.wait(0, reaches: 3))
        let names = try pool.map(WorkerName(), 0..<6, chunkSize: 1)
        #expect(Set(names).isSubset(of: ["ForkPoolWorker-1", "ForkPoolWorker-2", "ForkPoolWorker-3"]))
        pool.close()
        try pool.join()
        #expect(poolPidsGone(initializedPids(counters)))
    }

    @Test(arguments: StartMethod.allCases) func codableErrorsArriveWithTheirType(method: StartMethod) throws {
        try withPool(processes: 2, context: getContext(method)) { pool throws in
            do {
                _ = try pool.map(RejectSeven(), 0..<10, chunkSize: 1)
                Issue.record("map should have thrown")
            } catch let error as TaskRejected {
                #expect(error == TaskRejected(item: 7, reason: "seven is not allowed"))
            }
            #expect(throws: TaskRejected(item: 7, reason: "seven is not allowed")) { try pool.apply(RejectSeven(), 7) }
            let iterator = try pool.imap(RejectSeven(), 6..<9)
            #expect(try iterator.next(timeout: 5) == 6)
            #expect(throws: TaskRejected.self) { try iterator.next(timeout: 5) }
            // A closure's Codable error crosses typed too.
            if method == .fork {
                #expect(throws: TaskRejected(item: 1, reason: "closure")) {
                    try pool.apply { () throws -> Int in throw TaskRejected(item: 1, reason: "closure") }
                }
            }
        }
        try withProcessPoolExecutor(maxWorkers: 2, context: getContext(method)) { executor throws in
            let future = try executor.submit(RejectSeven(), 7)
            #expect(throws: TaskRejected(item: 7, reason: "seven is not allowed")) { try future.result(timeout: 5) }
            #expect(try future.error(timeout: 5) as? TaskRejected == TaskRejected(item: 7, reason: "seven is not allowed"))
        }
    }

    @Test(arguments: StartMethod.allCases) func otherErrorsArriveAsWorkerErrors(method: StartMethod) throws {
        try withPool(processes: 2, context: getContext(method)) { pool throws in
            do {
                _ = try pool.map(RejectSevenPlainly(), 0..<10, chunkSize: 1)
                Issue.record("map should have thrown")
            } catch let error as WorkerError {
                #expect(error.message == "bad item 7")
                #expect(error.typeName.hasSuffix("PoolTaskFailure"))
                #expect(error.worker.hasPrefix(workerPrefix(method) + "-"))
            }
            #expect(try pool.apply(Square(), 3) == 9)
        }
    }

    @Test func aTypeFoundByNoNameIsRefusedAtTheCall() throws {
        struct Local<T: Codable>: PoolTask {
            func callAsFunction(_ x: Int) -> Int { x }
        }
        // Whether the runtime finds a local generic type by name is its business: the pool
        // either runs it or refuses it at the call, never fails in the worker.
        try withPool(processes: 1) { pool throws in
            if TypeNames.name(of: Local<Int>.self) == nil {
                #expect(throws: PoolError.unnamedTask(typeName: TypeNames.readableName(of: Local<Int>.self))) {
                    try pool.map(Local<Int>(), 0..<3)
                }
            } else {
                #expect(try pool.map(Local<Int>(), 0..<3) == [0, 1, 2])
            }
        }
    }

    @Test(arguments: StartMethod.allCases) func aTaskTypeTheWorkerCannotFindIsAClearError(method: StartMethod) throws {
        try withPool(processes: 1, context: getContext(method)) { pool throws in
            var payload: [UInt8] = [TaskPayload.Shape.single.rawValue]
            PoolWire.append("$s4Nope0A4TaskVD", to: &payload)
            PoolWire.append("Elsewhere.Task", to: &payload)
            PoolWire.append(UInt32(0), to: &payload)
            PoolWire.append(UInt32(1), to: &payload)
            PoolWire.append(Int(1), to: &payload)
            let result = AsyncResult<Int>()
            try pool.submitNamed([payload], sink: SingleSink<Int>(completion: result.completion))
            #expect(throws: PoolError.unknownTask(typeName: "Elsewhere.Task")) { try result.get(timeout: 10) }
            #expect(try pool.apply(Square(), 4) == 16)
        }
    }

    @Test(arguments: StartMethod.allCases) func aChunkLargerThanTheArenaIsRefused(method: StartMethod) throws {
        try withPool(processes: 1, context: getContext(method)) { pool throws in
            let big = [String](repeating: String(repeating: "x", count: 1 << 20), count: 9)
            #expect(throws: PoolError.self) { try pool.map(Echo(), big, chunkSize: 9) }
            #expect(try pool.map(Echo(), big, chunkSize: 1).count == 9)
        }
    }

    @Test(arguments: StartMethod.allCases) func aDeadWorkerIsReplacedAndThePoolGoesOn(method: StartMethod) throws {
        try withPool(processes: 2, context: getContext(method)) { pool throws in
            var dead = ""
            do {
                _ = try pool.map(KillSelfOn(item: 5), 0..<20, chunkSize: 1)
                Issue.record("map should have thrown")
            } catch PoolError.workerDied(let worker, _, let code) {
                #expect(code == -SIGKILL)
                dead = worker
            }
            #expect(try pool.map(Square(), 0..<20) == (0..<20).map { $0 * $0 })
            let names = Set(try pool.map(WorkerName(), 0..<40, chunkSize: 1))
            #expect(!names.contains(dead))
            let prefix = workerPrefix(method)
            #expect(names.isSubset(of: ["\(prefix)-1", "\(prefix)-2", "\(prefix)-3"]))
        }
    }

    @Test(arguments: StartMethod.allCases) func maxTasksPerChildReplacesNamedTaskWorkers(method: StartMethod) throws {
        try withPool(processes: 2, maxTasksPerChild: 2, context: getContext(method)) { pool throws in
            let pids = try pool.map(WorkerPid(pauseMicroseconds: 0), 0..<12, chunkSize: 1)
            #expect(Set(pids).count >= 6)
            #expect(try pool.apply(Square(), 5) == 25)
        }
    }
}
}

struct WorkerName: PoolTask {
    func callAsFunction(_ item: Int) -> String {
        usleep(2_000)
        return currentProcess().name
    }
}

struct Echo: PoolTask {
    func callAsFunction(_ text: String) -> Int { text.utf8.count }
}

@Suite("Spawned worker description")
struct SpawnSpecTests {
    @Test func theEnvironmentRoundTrips() throws {
        let spec = SpawnedWorker.Spec(
            channel: 2, channels: 4, ringCapacity: 1 << 15, arenaCapacity: 1 << 23, streamCapacity: 1 << 20,
            maxTasksPerChild: 7, parentPid: 4242, name: "SpawnPoolWorker-9", mapDescriptor: 11, wakeDescriptor: 12)
        let entries = spec.environment
        #expect(entries.first == "MULTIPROCESSING_SPAWNED=pool-worker")
        let value = try #require(entries.last?.split(separator: "=", maxSplits: 1).last.map(String.init))
        #expect(SpawnedWorker.Spec(environmentValue: value) == spec)
    }

    @Test func aDamagedDescriptionIsRefused() {
        #expect(SpawnedWorker.Spec(environmentValue: "") == nil)
        #expect(SpawnedWorker.Spec(environmentValue: "1 2 3") == nil)
        #expect(SpawnedWorker.Spec(environmentValue: "a 4 5 6 7 8 9 10 11 12 Name") == nil)
    }
}
