import CMultiprocessing
import Glibc

// The worker side of a pool: what runs in each worker process. It takes tasks from the shared
// ring, runs them (a named task from its payload, a closure job from the copy of the job
// table it was forked with), and writes each result as a frame on its channel:
//
//   [UInt32 length][UInt8 kind: 0 done, 1 failed, 2 initializer failed][Int64 job][Int64 chunk]
//   then the results (done), the error as `TaskFailure` writes it (failed), or the
//   initializer's message (initializer failed).

/// One worker's loop. Made in the parent, run in the child.
struct PoolWorker {
    let transport: PoolTransport
    let channel: Int
    /// The last closure job this worker knows (registered before it was forked).
    let knownJobs: Int64
    let wakeDescriptor: Int32
    let initializer: (() throws -> Void)?
    let maxTasksPerChild: Int?
    /// A closure job's body, from the job table the worker was forked with.
    let closureBody: (Int64) -> JobBody?

    /// The frame's first bytes: length (patched by `send`), kind, job, chunk.
    private static let headerSize = 21

    /// Runs the initializer, then tasks until told to stop, until `maxTasksPerChild`, or until
    /// the next task is a closure job it does not know.
    func run() {
        let pid = system_getpid()
        _ = currentProcess().name.withCString { cmp_set_process_name($0) }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 12)
        if let initializer {
            do {
                try initializer()
            } catch {
                startFrame(&out, kind: 2, job: 0, chunk: 0)
                PoolWire.append(String(describing: error), to: &out)
                send(&out)
                system_exit(1)
            }
        }
        let slot = transport.taskSlot(channel)
        var named = NamedTaskRunner()
        var payload: [UInt8] = []
        var done = 0
        while true {
            let job: Int64, chunk: Int64, isNamed: Bool
            switch transport.take(knownJobs: knownJobs, channel: channel, payload: &payload) {
            case .stop, .unknownJob:
                return
            case .run(let taken, let index):
                (job, chunk, isNamed) = (taken, index, false)
            case .runNamed(let taken, let index):
                (job, chunk, isNamed) = (taken, index, true)
            }
            startFrame(&out, kind: 0, job: job, chunk: chunk)
            Trace.taskStarted(pid: pid, job: Int(job), index: Int(chunk))
            var failed = false
            do {
                if isNamed {
                    try named.run(payload, out: &out)
                } else {
                    guard let body = closureBody(job) else { throw PoolError.terminated }
                    try body(Int(chunk), &out)
                }
            } catch {
                failed = true
                out.removeSubrange(Self.headerSize...)
                out[4] = 1
                TaskFailure.append(error, to: &out)
            }
            Trace.taskEnded(pid: pid, job: Int(job), index: Int(chunk), failed: failed)
            fflush(nil)  // what the task printed appears now, before its result
            send(&out)
            cmp_store_i64(slot, 0)
            done += 1
            if let maxTasksPerChild, done >= maxTasksPerChild { return }
        }
    }

    private func startFrame(_ out: inout [UInt8], kind: UInt8, job: Int64, chunk: Int64) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: [0, 0, 0, 0, kind])
        PoolWire.append(job, to: &out)
        PoolWire.append(chunk, to: &out)
    }

    /// Writes a frame whose first four bytes are reserved for its payload length.
    private func send(_ out: inout [UInt8]) {
        let length = UInt32(out.count - 4)
        withUnsafeBytes(of: length) { raw in
            for index in 0..<4 { out[index] = raw[index] }
        }
        out.withUnsafeBytes { transport.write($0, channel: channel, wakeDescriptor: wakeDescriptor) }
    }
}
