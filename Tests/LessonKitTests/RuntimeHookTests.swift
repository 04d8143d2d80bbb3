import Testing
import Multiprocessing
@testable import LessonKit

/// The Python and Node.js hooks, in real runs of `python3` and `node` through the runner.
@Suite("Runtime hooks", .serialized)
struct RuntimeHookTests {
    func job(_ runtime: Runtime, _ script: String, expected: String) -> RunJob {
        RunJob(lesson: "t", demo: "hooks", runtime: runtime, executable: runtime == .python ? "python3" : "node",
               script: script, files: [], expected: expected, expectedExit: 0, timeout: 60, outputLimit: 1 << 20)
    }

    static let pool = """
    from multiprocessing import Pool, Process, Lock, Queue
    import time

    def square(x):
        time.sleep(0.05)
        return x * x

    def locked(lock, queue, i):
        with lock:
            queue.put(i)

    if __name__ == '__main__':
        with Pool(4) as pool:
            print(pool.map(square, range(8), chunksize=1))
        lock, queue = Lock(), Queue()
        workers = [Process(target=locked, args=(lock, queue, i)) for i in range(3)]
        for w in workers: w.start()
        for w in workers: w.join()
        print(sorted(queue.get() for _ in range(3)))
    """

    @Test func pythonHookNamesPoolWorkersAndRecordsTasksHoldsAndQueues() throws {
        let result = Runner.run(job(.python, Self.pool, expected: "[0, 1, 4, 9, 16, 25, 36, 49]\n[0, 1, 2]\n"))
        #expect(result.passed, "\(result.problems) \(result.spawn.stderr)")
        let timeline = Timeline(result: result)
        let workers = timeline.rows.filter { $0.name.hasPrefix("ForkPoolWorker-") }
        #expect(workers.map(\.name).sorted() == ["ForkPoolWorker-1", "ForkPoolWorker-2", "ForkPoolWorker-3", "ForkPoolWorker-4"])
        #expect(workers.allSatisfy { $0.runtime == "python" && $0.parent == timeline.rows[0].pid })
        // Eight tasks of chunk size 1, each ended and none failed, spread over the four workers.
        let tasks = workers.flatMap(\.tasks)
        #expect(tasks.map(\.index).sorted() == Array(0..<8))
        #expect(tasks.allSatisfy { $0.end != nil && !$0.failed })
        #expect(timeline.modelDescription == "4 worker processes for the pool's life")
        // The three processes each held the lock once and put once; the main process got three.
        let lockers = timeline.rows.filter { $0.name.hasPrefix("Process-") }
        #expect(lockers.count == 3)
        #expect(lockers.allSatisfy { $0.holds.count == 1 && $0.holds[0].kind == .lock && $0.holds[0].end != nil })
        #expect(Set(lockers.map { $0.holds[0].object }).count == 1)
        #expect(lockers.allSatisfy { $0.queueOperations.map(\.isPut) == [true] })
        #expect(timeline.rows[0].queueOperations.map(\.isPut) == [false, false, false])
        // The library's own queue and lock traffic (the pool's task queue) is not reported.
        #expect(workers.allSatisfy { $0.queueOperations.isEmpty && $0.holds.isEmpty })
        // Everything was reaped, with Python's exit codes.
        #expect(lockers.allSatisfy { $0.exitCode == 0 })
    }

    @Test func pythonHookWorksUnderEveryStartMethod() throws {
        // Spawned and forkserver children pickle the pool's and the executor's worker function
        // by name: the hook's wrappers must pickle as the originals do.
        let script = """
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        def square(x): return x * x
        if __name__ == '__main__':
            for method in ('spawn', 'forkserver'):
                context = mp.get_context(method)
                with context.Pool(2) as pool:
                    print(method, pool.map(square, range(4), chunksize=1))
                with ProcessPoolExecutor(2, mp_context=context) as executor:
                    print(method, list(executor.map(square, range(4))))
        """
        let result = Runner.run(job(.python, script, expected: """
            spawn [0, 1, 4, 9]
            spawn [0, 1, 4, 9]
            forkserver [0, 1, 4, 9]
            forkserver [0, 1, 4, 9]

            """))
        #expect(result.passed, "\(result.problems) \(result.spawn.stderr)")
        let timeline = Timeline(result: result)
        let tasks = timeline.rows.flatMap(\.tasks)
        #expect(tasks.count == 16 && tasks.allSatisfy { $0.end != nil && !$0.failed })
        #expect(timeline.rows.contains { $0.name.hasPrefix("SpawnPoolWorker-") })
        #expect(timeline.rows.contains { $0.name.hasPrefix("ForkServerProcess-") })
    }

    @Test func pythonHookRecordsTheFirstHoldsOfAProcessOnly() throws {
        let script = """
        from multiprocessing import Process, Value
        def work(v):
            for _ in range(2000):
                with v.get_lock():
                    v.value += 1
        if __name__ == '__main__':
            v = Value('i', 0)
            workers = [Process(target=work, args=(v,)) for _ in range(2)]
            for w in workers: w.start()
            for w in workers: w.join()
            print(v.value)
        """
        let result = Runner.run(job(.python, script, expected: "4000\n"))
        #expect(result.passed, "\(result.problems) \(result.spawn.stderr)")
        let workers = Timeline(result: result).rows.filter { $0.name.hasPrefix("Process-") }
        #expect(workers.count == 2)
        // 512 holds each, every one given back: 2,048 lines instead of 8,000.
        #expect(workers.allSatisfy { $0.holds.count == Trace.holdLimit && $0.holds.allSatisfy { $0.end != nil } })
    }

    /// Two locks, one taken inside the other (a Value's own RLock inside a Lock), past the
    /// budget: every recorded hold of either is given back in the trace. (Counting open holds
    /// for all objects together let the inner lock's release use up the outer one's.)
    @Test func pythonHookNeverShowsAGivenBackLockAsHeld() throws {
        let script = """
        from multiprocessing import Lock, Process, Value
        def work(v, lock):
            for _ in range(1000):
                with lock:
                    v.value += 1
        if __name__ == '__main__':
            v, lock = Value('i', 0), Lock()
            workers = [Process(target=work, args=(v, lock)) for _ in range(2)]
            for w in workers: w.start()
            for w in workers: w.join()
            print(v.value)
        """
        let result = Runner.run(job(.python, script, expected: "2000\n"))
        #expect(result.passed, "\(result.problems) \(result.spawn.stderr)")
        let workers = Timeline(result: result).rows.filter { $0.name.hasPrefix("Process-") }
        #expect(workers.count == 2)
        for worker in workers {
            let open = worker.holds.filter { $0.end == nil }
            #expect(open.isEmpty, "\(worker.name): \(open.count) holds never given back")
        }
    }

    @Test func pythonHookChangesNeitherOutputNorExitCode() {
        let script = "import sys, multiprocessing\nprint('out'); print('err', file=sys.stderr)\nsys.exit(3)\n"
        var traced = job(.python, script, expected: "out\n")
        traced.expectedExit = 3
        let result = Runner.run(traced)
        let plain = Spawn.run(SpawnRequest(executable: "python3", arguments: ["-c", script], environment: Runner.environment(trace: nil)))
        #expect(result.passed, "\(result.problems)")
        #expect(result.spawn.stdout == plain.stdout && result.spawn.stderr == plain.stderr)
        #expect(result.spawn.termination == plain.termination)
    }

    @Test func nodeHookRecordsWorkerThreadsAndForkedChildren() throws {
        let script = """
        const { Worker, isMainThread, parentPort, workerData } = require('worker_threads')
        const { fork } = require('child_process')
        if (process.argv[2] === 'child') {
          process.exit(0)
        } else if (isMainThread) {
          const workers = [0, 1, 2].map((i) => new Worker(__filename, { workerData: { name: `Process-${i}` } }))
          let done = 0
          for (const w of workers) {
            w.on('message', () => { if (++done === 3) { workers.forEach((x) => x.terminate()); fork(__filename, ['child']).on('exit', () => console.log('done')) } })
            w.postMessage(40)
          }
        } else {
          parentPort.on('message', (n) => { const end = Date.now() + n; while (Date.now() < end); parentPort.postMessage(n) })
        }
        """
        let result = Runner.run(job(.node, script, expected: "done\n"))
        #expect(result.passed, "\(result.problems) \(result.spawn.stderr)")
        let timeline = Timeline(result: result)
        let main = try #require(timeline.rows.first)
        #expect(main.name == "main" && main.isMain)
        let workers = main.threads.filter(\.reported)
        #expect(workers.map(\.name).sorted() == ["Process-0", "Process-1", "Process-2"])
        #expect(workers.allSatisfy { $0.tid != main.pid })
        // Each worker handled one message: one task on its own thread.
        for worker in workers {
            #expect(main.tasks.filter { $0.thread == worker.tid }.count == 1)
        }
        #expect(timeline.modelDescription.hasPrefix("3 worker threads"))
        let child = try #require(timeline.rows.first { $0.name == "child" })
        #expect(child.runtime == "node" && child.parent == main.pid && child.exitCode == 0)
    }
}
