import CMultiprocessing
import Glibc

// The parent side of the machinery shared by Pool and ProcessPoolExecutor (the worker side
// is `PoolWorker`).
//
// The pool keeps `processes` workers for its whole life, started with it, and replaces one
// only when it ends: it died, reached `maxTasksPerChild`, or retired for a closure (below).
// Every submitted job (one map call, one apply, one submit) gets an increasing id.
//
// Named tasks (`PoolTask`, `PairTask`) cross by value: each chunk's payload (the task type's
// name, its state, the arguments) is copied into the transport's arena with its task record,
// so any worker can run it, however long ago it was started.
//
// Closures cannot be sent to another process, but a forked worker has a copy of everything
// the parent had at the moment of the fork. So a closure job is registered here with its
// closure and its items; its task records are only (job id, chunk index), and a worker knows
// every job registered before it was forked. An idle worker whose next task belongs to a
// newer closure job leaves the task on the ring and exits; the handler thread forks a fresh
// worker (which knows the job) in its place. There are never more than `processes` workers.
//
// One thread in the parent, the handler, does everything asynchronous: it forks workers
// (so PR_SET_PDEATHSIG, which follows the forking thread, ties workers to the pool's
// lifetime), reads results from the workers' streams, completes results and runs
// callbacks, and watches the workers' pidfds: a worker that dies holding a task fails
// exactly that task.

/// The parent-side receiver of one job's results; called on the handler thread.
protocol JobSink: AnyObject {
    /// Chunk `chunk` finished; `payload` holds its results as written by the job's body.
    func deliver(chunk: Int, payload: UnsafeRawBufferPointer)
    /// Chunk `chunk` failed with `error`.
    func fail(chunk: Int, error: any Error)
    /// The job was cancelled before any of its tasks ran.
    func cancel()
}

/// Runs one chunk of a job in a worker and appends its encoded results to the buffer.
@usableFromInline
typealias JobBody = (_ chunk: Int, _ out: inout [UInt8]) throws -> Void

final class WorkerEngine: @unchecked Sendable {
    /// Whose rules apply: a Pool replaces dead workers, an executor breaks.
    enum Flavor { case pool, executor }

    enum State: Equatable {
        case running
        case closed
        case terminated
        case broken(String)
    }

    private final class JobRecord {
        /// The closure of a closure job; nil for a named task (its chunks carry payloads).
        let body: JobBody?
        let sink: JobSink
        var remaining: Int
        var finished: [Bool]

        init(body: JobBody?, sink: JobSink, chunks: Int) {
            self.body = body
            self.sink = sink
            remaining = chunks
            finished = [Bool](repeating: false, count: chunks)
        }
    }

    private final class Worker {
        /// The forked worker's process object; nil for a spawned worker.
        let process: Process?
        let channel: Int
        let pidfd: Int32
        let name: String
        let pid: Int32
        init(process: Process, channel: Int, pidfd: Int32) {
            self.process = process
            self.channel = channel
            self.pidfd = pidfd
            self.name = process.name
            self.pid = process.pid ?? -1
            server = nil
        }
        /// The fork server that forked this worker (its parent), if any.
        let server: ForkServerClient?
        init(spawned pid: Int32, name: String, channel: Int, pidfd: Int32, server: ForkServerClient? = nil) {
            process = nil
            self.server = server
            self.channel = channel
            self.pidfd = pidfd
            self.name = name
            self.pid = pid
        }

        /// Waits for the ended worker and returns its exit code (negative: the signal).
        func reap() -> Int32 {
            if let process {
                try? process.join()
                defer { try? process.close() }
                return process.exitCode ?? -1
            }
            if let server { return server.exitCode(of: pid) }
            guard let status = try? system_waitpid(pid)?.status else { return -1 }
            let code = decodeExitCode(waitStatus: status)
            Trace.processExited(pid: pid, exitCode: code)
            return code
        }
    }

    // MARK: Configuration

    let flavor: Flavor
    let processes: Int
    /// How workers start: forked from the handler thread, this program spawned again, or
    /// forked by a fork server.
    let startMethod: StartMethod
    /// The fork server, under ``StartMethod/forkserver``.
    private var forkServer: ForkServerClient?
    private let initializer: (() throws -> Void)?
    private let maxTasksPerChild: Int?
    private let transport: PoolTransport
    private var wakeReader: Int32
    private var wakeDescriptor: Int32

    // MARK: State (guarded by `monitor`)

    let monitor = Monitor()
    private(set) var state: State = .running
    private var nextJob: Int64 = 1
    private var jobs: [Int64: JobRecord] = [:]
    private var workers: [Worker?]
    private var liveWorkers = 0
    private var workerCounter = 0
    private var overflow: [QueuedTask] = []
    private var overflowStart = 0
    private var stopsSent = false
    /// Burst detection for `startWorkersIfNeeded`: when the last job was submitted, how many
    /// jobs came in quick succession, and since when forks have been held back.
    private var lastSubmission: Int64 = 0
    private var burstLength = 0
    private var deferringSince: Int64 = 0
    /// Why the last fork failed.
    private var forkError: (any Error)?
    /// Jobs failed with the monitor held, to be told so once it is released.
    private var failedLater: [(JobRecord, any Error)] = []
    /// A submit has signalled the handler, which has not yet looked at the work.
    private var wakePending = false
    private var handlerFinished = false
    /// The handler has tried to start the first workers (see `init`).
    private var firstWorkersStarted = false
    private var firstAttempts = 0
    /// The constructing thread is waiting for the first workers (see `init`).
    private var constructorWaiting = false
    private var terminateStarted: Int64 = 0
    private var handler: pthread_t?

    init(flavor: Flavor, processes: Int, initializer: (() throws -> Void)?, maxTasksPerChild: Int?,
         startMethod: StartMethod = .fork) throws {
        if startMethod != .fork, initializer != nil { throw PoolError.closureNeedsFork }
        self.flavor = flavor
        self.processes = processes
        self.initializer = initializer
        self.maxTasksPerChild = maxTasksPerChild
        self.startMethod = startMethod
        transport = try PoolTransport(channels: processes, crossingExec: startMethod != .fork)
        (wakeReader, wakeDescriptor) = try system_wakePipe()
        if startMethod == .forkserver {
            forkServer = try ForkServerClient(transport: transport, wakeDescriptor: wakeDescriptor, maxTasksPerChild: maxTasksPerChild)
        }
        workers = [Worker?](repeating: nil, count: processes)
        // Should this throw, deinit (which runs: every property is set) closes the pipe.
        handler = try system_startThread { [self] in self.handlerLoop() }
        // Wait here while the handler forks the first workers, as Python's Pool starts its
        // workers in its constructor. A fork copies every lock as it is at that instant;
        // this thread, waiting, holds none of the Swift runtime's: the handler starts forking
        // only once it is parked.
        let started = monitor.withLock {
            constructorWaiting = true
            monitor.broadcast()
            while !firstWorkersStarted { _ = monitor.wait(until: .forever) }
            return liveWorkers > 0 ? nil : forkError ?? SystemError(call: "fork()", errno: EAGAIN)
        }
        if let started {
            terminate(failingWith: started)
            throw started
        }
    }

    deinit {
        closeWakePipe()
    }

    /// Closes the wake-up pipe once the handler and every worker are gone.
    private func closeWakePipe() {
        if wakeReader >= 0 { system_close(wakeReader) }
        if wakeDescriptor >= 0 { system_close(wakeDescriptor) }
        wakeReader = -1
        wakeDescriptor = -1
    }

    // MARK: Submitting

    /// Why the engine refuses new work, or nil when it accepts it.
    var refusal: State? {
        monitor.withLock { state == .running ? nil : state }
    }

    /// Checks that every chunk of a named task fits the transport's arena.
    ///
    /// - Throws: ``PoolError/taskTooLarge(bytes:limit:)`` for the largest one that does not.
    func checkSize(of payloads: [[UInt8]]) throws {
        if let largest = payloads.map(\.count).max(), largest > transport.arenaCapacity {
            throw PoolError.taskTooLarge(bytes: largest, limit: transport.arenaCapacity)
        }
    }

    /// Registers a job and queues its tasks: `chunks` chunks of the closure `body`, or one
    /// chunk per payload of a named task. Returns the job id, or the state that refuses work.
    func submit(chunks: Int, body: JobBody?, payloads: [[UInt8]] = [], sink: JobSink) -> Result<Int64, StateRefusal> {
        monitor.lock()
        guard state == .running else {
            let current = state
            monitor.unlock()
            return .failure(StateRefusal(state: current))
        }
        let id = nextJob
        nextJob += 1
        let now = cmp_monotonic_ns()
        burstLength = now - lastSubmission < 100_000 ? burstLength + 1 : 0
        lastSubmission = now
        jobs[id] = JobRecord(body: body, sink: sink, chunks: chunks)
        enqueue(job: id, chunks: chunks, payloads: payloads)
        if liveWorkers < processes, !wakePending {
            wakePending = true
            system_wakeSignal(wakeDescriptor)
        }
        monitor.unlock()
        return .success(id)
    }

    struct StateRefusal: Error { let state: State }

    /// Puts tasks on the ring; what does not fit waits in `overflow` (in order).
    private func enqueue(job: Int64, chunks: Int, payloads: [[UInt8]]) {
        func task(_ index: Int) -> QueuedTask {
            payloads.isEmpty
                ? QueuedTask(kind: .run, job: job, chunk: Int64(index))
                : QueuedTask(kind: .runNamed, job: job, chunk: Int64(index), payload: payloads[index])
        }
        if overflowStart == overflow.count {
            var chunk = 0
            var batch: [QueuedTask] = []
            batch.reserveCapacity(min(chunks, 256))
            while chunk < chunks {
                batch.removeAll(keepingCapacity: true)
                let end = min(chunks, chunk + 256)
                for index in chunk..<end { batch.append(task(index)) }
                let pushed = batch.withUnsafeBufferPointer { transport.push($0) }
                chunk += pushed
                if pushed < batch.count {
                    for index in chunk..<chunks { overflow.append(task(index)) }
                    return
                }
            }
        } else {
            for index in 0..<chunks { overflow.append(task(index)) }
        }
    }

    /// Moves waiting tasks onto the ring as space allows (with the monitor held).
    private func flushOverflow() {
        guard overflowStart < overflow.count else { return }
        let pushed = overflow.withUnsafeBufferPointer { all in
            transport.push(UnsafeBufferPointer(rebasing: all[overflowStart...]))
        }
        overflowStart += pushed
        if overflowStart == overflow.count {
            overflow.removeAll(keepingCapacity: false)
            overflowStart = 0
        }
    }

    /// Cancels a one-task job (a future) whose task has not started; false when it has
    /// started or is done.
    func cancel(job: Int64) -> Bool {
        monitor.lock()
        guard let record = jobs[job], record.finished.count == 1, record.remaining == 1 else {
            monitor.unlock()
            return false
        }
        var cancelled = transport.cancel(job: job)
        if overflowStart < overflow.count {
            for index in overflowStart..<overflow.count
            where overflow[index].job == job && (overflow[index].kind == .run || overflow[index].kind == .runNamed) {
                overflow[index].kind = .cancelled
                overflow[index].payload = []
                cancelled += 1
            }
        }
        let whole = cancelled == record.finished.count
        if whole { jobs[job] = nil }
        monitor.unlock()
        return whole
    }

    /// Cancels every one-task job whose task has not started; returns their sinks.
    func cancelPending() -> [JobSink] {
        let candidates = monitor.withLock {
            jobs.filter { $0.value.finished.count == 1 && $0.value.remaining == 1 }.map { ($0.key, $0.value.sink) }
        }
        return candidates.sorted { $0.0 < $1.0 }.compactMap { cancel(job: $0.0) ? $0.1 : nil }
    }

    /// Whether a worker is running a task of `job` right now.
    func isRunning(job: Int64) -> Bool {
        monitor.withLock {
            workers.contains { worker in
                guard let worker else { return false }
                return cmp_load_i64(transport.taskSlot(worker.channel)) == job
            }
        }
    }

    // MARK: Stopping

    /// No more work is accepted; queued work still runs, then the workers exit.
    func close() {
        monitor.withLock {
            if state == .running { state = .closed }
            if wakeDescriptor >= 0 { system_wakeSignal(wakeDescriptor) }
        }
    }

    /// Stops at once: pending jobs fail with `error`, workers are terminated and reaped.
    func terminate(failingWith error: any Error) {
        monitor.lock()
        var failed: [JobRecord] = []
        if state == .running || state == .closed {
            state = .terminated
            failed = Array(jobs.values)
            jobs = [:]
            overflow = []
            overflowStart = 0
            _ = transport.cancel(job: nil)
            terminateStarted = cmp_monotonic_ns()
            for case let worker? in workers { try? system_kill(worker.pid, SIGTERM) }
        }
        if wakeDescriptor >= 0 { system_wakeSignal(wakeDescriptor) }
        monitor.unlock()
        for record in failed { failAll(record, error) }
        waitForHandler(deadline: .forever)
    }

    /// Waits until the handler thread has finished (all workers reaped); false on timeout.
    @discardableResult
    func waitForHandler(deadline: Deadline) -> Bool {
        monitor.lock()
        if let handler, pthread_equal(handler, pthread_self()) != 0 {
            // Called from a callback on the handler thread (the pool was released there): it
            // cannot wait for itself; it finishes on its own once the workers are gone.
            self.handler = nil
            monitor.unlock()
            pthread_detach(pthread_self())
            return false
        }
        while !handlerFinished {
            if !monitor.wait(until: deadline) { monitor.unlock(); return false }
        }
        let thread = handler
        handler = nil
        monitor.unlock()
        if let thread {
            system_joinThread(thread)
            monitor.withLock {
                closeWakePipe()
                transport.closeFile()
                forkServer?.close()
            }
        }
        return true
    }

    private func failAll(_ record: JobRecord, _ error: any Error) {
        for chunk in record.finished.indices where !record.finished[chunk] {
            record.sink.fail(chunk: chunk, error: error)
        }
    }

    // MARK: The handler thread

    private func handlerLoop() {
        // Fork nothing until the constructing thread is parked in its wait (it sets the flag
        // with the monitor held and releases it only inside the wait).
        monitor.lock()
        while !constructorWaiting { _ = monitor.wait(until: .forever) }
        monitor.unlock()
        var scratch: [UInt8] = []
        var pollSet: [pollfd] = []
        while true {
            let progressed = drainAll(scratch: &scratch)
            monitor.lock()
            wakePending = false
            flushOverflow()
            if finishIfDone() { monitor.unlock(); break }
            var deferring = startWorkersIfNeeded()
            if !firstWorkersStarted {
                // All first workers, or give up after about a second of failed forks (EAGAIN on
                // a busy machine): a fork made later, while the caller runs, risks copying a
                // runtime lock another thread holds at that instant.
                firstAttempts += 1
                if liveWorkers == processes || firstAttempts >= 500 || state != .running {
                    firstWorkersStarted = true
                    monitor.broadcast()
                } else {
                    deferring = true
                }
            }
            let terminating = state == .terminated
            if terminating, cmp_monotonic_ns() - terminateStarted > 1_000_000_000 {
                for case let worker? in workers { try? system_kill(worker.pid, SIGKILL) }
            }
            let failed = failedLater
            failedLater = []
            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0))
            for case let worker? in workers {
                pollSet.append(pollfd(fd: worker.pidfd, events: Int16(POLLIN), revents: 0))
            }
            monitor.unlock()
            for (record, error) in failed { failAll(record, error) }
            if progressed {
                // Results keep coming: look for ended workers without sleeping.
                pollExits(&pollSet, timeout: 0)
                continue
            }
            // Announce the sleep, then look once more: a worker that published after the
            // last look sees the flag and writes to the wake-up pipe.
            cmp_store_u32(transport.parentSleeping, 1)
            cmp_fence()
            if anyData() {
                cmp_store_u32(transport.parentSleeping, 0)
                continue
            }
            pollExits(&pollSet, timeout: deferring ? 1 : terminating ? 100 : 1000)
            cmp_store_u32(transport.parentSleeping, 0)
        }
        monitor.lock()
        handlerFinished = true
        monitor.unlock()
        monitor.broadcast()
    }

    /// Polls the wake-up descriptor and the workers' pidfds; handles ended workers.
    private func pollExits(_ set: inout [pollfd], timeout: Int32) {
        guard poll(&set, nfds_t(set.count), timeout) > 0 else { return }
        if set[0].revents != 0 { system_wakeDrain(wakeReader) }
        for entry in set.dropFirst() where entry.revents != 0 {
            handleExit(pidfd: entry.fd)
        }
    }

    private func anyData() -> Bool {
        for channel in 0..<processes where transport.hasData(channel: channel) { return true }
        return false
    }

    /// Reads every worker's stream; returns whether anything was read.
    private func drainAll(scratch: inout [UInt8]) -> Bool {
        var any = false
        for channel in 0..<processes where transport.hasData(channel: channel) {
            let worker = monitor.withLock { workers[channel] }
            let name = worker?.name ?? workerPrefix
            let frames = transport.readFrames(channel: channel, scratch: &scratch) { frame in
                handleFrame(frame, worker: name)
            }
            if frames > 0 { any = true }
        }
        return any
    }

    /// Frame layout: kind (UInt8: 0 done, 1 failed, 2 initializer failed), job, chunk, payload.
    private func handleFrame(_ frame: UnsafeRawBufferPointer, worker: String) {
        var reader = WireReader(frame)
        guard let kind = try? reader.read(UInt8.self),
              let job = try? reader.read(Int64.self),
              let chunk = try? reader.read(Int64.self) else { return }
        if kind == 2 {
            let message = (try? reader.readString()) ?? "unknown error"
            initializerFailed(worker: worker, message: message)
            return
        }
        guard let record = markFinished(job: job, chunk: Int(chunk)) else { return }
        if kind == 0 {
            record.sink.deliver(chunk: Int(chunk), payload: reader.remaining)
        } else {
            record.sink.fail(chunk: Int(chunk), error: TaskFailure.read(&reader, worker: worker))
        }
    }

    /// Marks a chunk done; returns its job, or nil when it was already accounted for.
    private func markFinished(job: Int64, chunk: Int) -> JobRecord? {
        monitor.lock()
        defer { monitor.unlock() }
        guard let record = jobs[job], chunk >= 0, chunk < record.finished.count, !record.finished[chunk] else {
            return nil
        }
        record.finished[chunk] = true
        record.remaining -= 1
        if record.remaining == 0 { jobs[job] = nil }
        return record
    }

    private func initializerFailed(worker: String, message: String) {
        let error: any Error
        switch flavor {
        case .pool: error = PoolError.initializerFailed(worker: worker, message: message)
        case .executor: error = ExecutorError.brokenProcessPool(reason: "the initializer failed in \(worker): \(message)")
        }
        monitor.lock()
        let failed = Array(jobs.values)
        jobs = [:]
        overflow = []
        overflowStart = 0
        _ = transport.cancel(job: nil)
        if flavor == .executor, state == .running || state == .closed {
            state = .broken(error.localizedDescriptionText)
        }
        monitor.unlock()
        for record in failed { failAll(record, error) }
    }

    /// Reaps a worker whose pidfd became readable, reads what it wrote last, and fails the
    /// task it was running, if any.
    private func handleExit(pidfd: Int32) {
        guard let worker = monitor.withLock({ workers.first { $0?.pidfd == pidfd } ?? nil }) else { return }
        let code = worker.reap()
        var scratch: [UInt8] = []
        _ = transport.readFrames(channel: worker.channel, scratch: &scratch) { frame in
            handleFrame(frame, worker: worker.name)
        }
        let slot = transport.taskSlot(worker.channel)
        let job = cmp_load_i64(slot)
        let chunk = Int(slot[1])
        system_close(worker.pidfd)
        monitor.lock()
        workers[worker.channel] = nil
        liveWorkers -= 1
        transport.resetChannel(worker.channel)
        let abnormal = code != 0 && state != .terminated
        var failedJobs: [JobRecord] = []
        var error: (any Error)? = nil
        if flavor == .executor, abnormal, state == .running || state == .closed {
            let reason = "worker \(worker.name) (pid \(worker.pid)) \(describeExit(code))"
            state = .broken(reason)
            error = ExecutorError.brokenProcessPool(reason: reason)
            failedJobs = Array(jobs.values)
            jobs = [:]
            overflow = []
            overflowStart = 0
            _ = transport.cancel(job: nil)
            for case let other? in workers { try? system_kill(other.pid, SIGKILL) }
        }
        monitor.unlock()
        if let error {
            for record in failedJobs { failAll(record, error) }
        } else if job != 0, let record = markFinished(job: job, chunk: chunk) {
            record.sink.fail(chunk: chunk, error: PoolError.workerDied(worker: worker.name, pid: worker.pid, exitCode: code))
        }
    }

    /// With the monitor held: whether the handler can stop (all work done and every worker
    /// gone after close, terminate or breakage). Sends stop tasks to idle workers after close.
    private func finishIfDone() -> Bool {
        switch state {
        case .running:
            return false
        case .closed:
            if !jobs.isEmpty { return false }
            if !stopsSent, liveWorkers > 0 {
                stopsSent = true
                let stops = [QueuedTask](repeating: QueuedTask(kind: .stop, job: 0, chunk: 0), count: liveWorkers)
                _ = stops.withUnsafeBufferPointer { transport.push($0) }
            }
            return liveWorkers == 0
        case .terminated, .broken:
            return liveWorkers == 0
        }
    }

    /// With the monitor held: keeps `processes` workers while the pool runs (after close,
    /// only while queued work needs them).
    ///
    /// While closure jobs are being submitted in a burst (an `applyAsync` loop), a worker
    /// forked now would soon meet a job it does not know and be replaced again, and every fork
    /// makes the parent pay copy-on-write faults on the pages it writes next. So replacements
    /// wait until the burst pauses (200 µs without a new job), for at most 30 ms. Returns true
    /// while waiting.
    private func startWorkersIfNeeded() -> Bool {
        guard state == .running || state == .closed, liveWorkers < processes else { return false }
        let queued = transport.queuedCount + (overflow.count - overflowStart)
        guard state == .running || (queued > 0 && !jobs.isEmpty) else { return false }
        if queued > 0, burstLength >= 8 {
            let now = cmp_monotonic_ns()
            if deferringSince == 0 { deferringSince = now }
            if now - lastSubmission < 200_000, now - deferringSince < 30_000_000 { return true }
        }
        deferringSince = 0
        burstLength = 0
        var wanted = state == .running ? processes - liveWorkers : min(processes - liveWorkers, queued)
        for channel in 0..<processes where workers[channel] == nil && wanted > 0 {
            let started: Worker?
            switch startMethod {
            case .fork: started = forkWorker(channel: channel)
            case .spawn: started = spawnWorker(channel: channel)
            case .forkserver: started = serverWorker(channel: channel)
            }
            guard let worker = started else {
                if liveWorkers == 0 { failEverything(with: forkError ?? SystemError(call: "fork()", errno: EAGAIN)) }
                return false
            }
            workers[channel] = worker
            liveWorkers += 1
            wanted -= 1
        }
        return false
    }

    /// With the monitor held: no worker can be started, so the queued work fails with `error`
    /// (and an executor breaks).
    private func failEverything(with error: any Error) {
        var reported = error
        if flavor == .executor, state == .running || state == .closed {
            let reason = "no worker could be started: \(error)"
            state = .broken(reason)
            reported = ExecutorError.brokenProcessPool(reason: reason)
        }
        for record in jobs.values { failedLater.append((record, reported)) }
        jobs = [:]
        overflow = []
        overflowStart = 0
        _ = transport.cancel(job: nil)
    }

    /// Forks a worker for `channel` with the monitor held, so the child's copy of the job
    /// table is consistent.
    private func forkWorker(channel: Int) -> Worker? {
        transport.resetChannel(channel)
        workerCounter += 1
        let worker = PoolWorker(
            transport: transport, channel: channel, knownJobs: nextJob - 1, wakeDescriptor: wakeDescriptor,
            initializer: initializer, maxTasksPerChild: maxTasksPerChild,
            closureBody: { [self] job in jobs[job]?.body })
        let process = Process(name: "\(workerPrefix)-\(workerCounter)", daemon: true) { worker.run() }
        do {
            try process.start()
        } catch {
            forkError = error
            return nil
        }
        // A pidfd of our own: the Process closes its sentinel when anyone reaps it (for
        // example `activeChildren()` on another thread), and a closed number may be reused.
        guard let sentinel = process.sentinel, case let pidfd = cmp_fcntl_int(sentinel, F_DUPFD_CLOEXEC, 0), pidfd >= 0 else {
            // Without a pidfd the worker cannot be watched: do not keep it.
            try? process.kill()
            try? process.join()
            forkError = SystemError(call: "pidfd_open()", errno: ENOSYS)
            return nil
        }
        return Worker(process: process, channel: channel, pidfd: pidfd)
    }

    /// Starts this program again as the worker for `channel` (see `SpawnedWorker`), with the
    /// monitor held. The transport's memory file and the wake-up pipe cross as descriptors.
    private func spawnWorker(channel: Int) -> Worker? {
        transport.resetChannel(channel)
        workerCounter += 1
        let name = "\(workerPrefix)-\(workerCounter)"
        // Targets above both sources, so neither is overwritten and each copy loses close-on-exec.
        let mapTarget = max(transport.fileDescriptor, wakeDescriptor, 2) + 1
        let spec = SpawnedWorker.Spec(
            channel: channel, channels: processes, ringCapacity: transport.ringCapacity,
            arenaCapacity: transport.arenaCapacity, streamCapacity: transport.streamCapacity,
            maxTasksPerChild: maxTasksPerChild ?? 0, parentPid: system_getpid(), name: name,
            mapDescriptor: mapTarget, wakeDescriptor: mapTarget + 1)
        do {
            let pid = try system_spawnSelf(
                environment: system_environment() + spec.environment,
                descriptors: [(transport.fileDescriptor, mapTarget), (wakeDescriptor, mapTarget + 1)])
            let pidfd: Int32
            do {
                pidfd = try system_pidfdOpen(pid)
            } catch {
                try? system_kill(pid, SIGKILL)
                _ = try? system_waitpid(pid)
                throw error
            }
            return Worker(spawned: pid, name: name, channel: channel, pidfd: pidfd)
        } catch {
            forkError = error
            return nil
        }
    }

    /// Asks the fork server for the worker of `channel`, with the monitor held.
    private func serverWorker(channel: Int) -> Worker? {
        guard let forkServer else { return nil }
        transport.resetChannel(channel)
        workerCounter += 1
        do {
            let pid = try forkServer.startWorker(channel: channel, number: workerCounter)
            let pidfd = try system_pidfdOpen(pid)
            return Worker(spawned: pid, name: "\(workerPrefix)-\(workerCounter)", channel: channel, pidfd: pidfd, server: forkServer)
        } catch {
            forkError = error
            return nil
        }
    }

    /// Workers are named `<prefix>-N`, as Python's.
    private var workerPrefix: String {
        switch startMethod {
        case .fork: "ForkPoolWorker"
        case .spawn: "SpawnPoolWorker"
        case .forkserver: "ForkServerPoolWorker"
        }
    }
}

extension Error {
    /// The error's text, for messages that quote it.
    var localizedDescriptionText: String { String(describing: self) }
}
