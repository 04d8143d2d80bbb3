import CMultiprocessing
import Glibc

// The forkserver start method's server: a copy of this program started by spawn (see
// `SpawnedWorker`), single-threaded, that forks each pool worker on request. A fork from a
// process with one thread copies no lock another thread held, so the workers start as
// cheaply as forks without fork's hazard. The server reaps its workers and reports how each
// ended; it ends when the pool closes the control socket and its last worker is gone.

enum ForkServer {
    static func run(_ spec: SpawnedWorker.Spec, control: Int32) -> Never {
        guard let transport = try? PoolTransport(
            attaching: spec.mapDescriptor, channels: spec.channels, ringCapacity: spec.ringCapacity,
            arenaCapacity: spec.arenaCapacity, streamCapacity: spec.streamCapacity) else { system_exit(1) }
        let serverPid = system_getpid()
        var children = 0
        var open = true
        while open || children > 0 {
            var entry = pollfd(fd: control, events: Int16(POLLIN), revents: 0)
            if open, poll(&entry, 1, 50) > 0 {
                if let request = ForkServerMessage.read(control) {
                    let (channel, number) = request.withUnsafeBytes { ($0.load(as: Int64.self), $0.load(fromByteOffset: 8, as: Int64.self)) }
                    let pid = (try? system_fork()) ?? -1
                    if pid == 0 { runWorker(spec, transport: transport, channel: Int(channel), number: Int(number), server: serverPid) }
                    if pid > 0 { children += 1 }
                    if (try? ForkServerMessage.writeReply(control, started: true, pid: pid, code: 0)) == nil { open = false }
                } else {
                    open = false
                }
            } else if !open {
                usleep(20_000)
            }
            while let (pid, status) = (try? system_waitpid(-1, options: WNOHANG)) ?? nil {
                children -= 1
                let code = decodeExitCode(waitStatus: status)
                Trace.processExited(pid: pid, exitCode: code)
                if open { _ = try? ForkServerMessage.writeReply(control, started: false, pid: pid, code: code) }
            }
        }
        system_exit(0)
    }

    /// The forked worker: dies with the server, runs tasks, never returns.
    private static func runWorker(_ spec: SpawnedWorker.Spec, transport: PoolTransport, channel: Int, number: Int, server: Int32) -> Never {
        try? system_setParentDeathSignal(SIGKILL)
        if system_getppid() != server { system_exit(1) }
        let pid = system_getpid()
        let me = Process(mainProcessWithPid: pid)
        me.name = "ForkServerPoolWorker-\(number)"
        ProcessTable.resetAfterFork(current: me, parentPid: server,
                                    parent: Process(parentWithPid: server, name: "ForkServer", identity: []))
        Trace.processStarted(pid: pid, parent: server, name: me.name)
        PoolWorker(
            transport: transport, channel: channel, knownJobs: 0, wakeDescriptor: spec.wakeDescriptor,
            initializer: nil, maxTasksPerChild: spec.maxTasksPerChild > 0 ? spec.maxTasksPerChild : nil,
            closureBody: { _ in nil }).run()
        fflush(nil)
        system_exit(0)
    }
}
