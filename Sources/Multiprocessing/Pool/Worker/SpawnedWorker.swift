import CMultiprocessing
import Glibc

// The spawn start method's worker side. The parent starts this program again with two
// environment variables; the C shim's constructor sees the first and calls
// `cmp_spawned_entry` before the program's own top-level code runs (Python's spawn imports the
// main module as `__mp_main__`, so its `if __name__ == '__main__':` block does not run). The
// worker maps the pool's transport from an inherited memory file and runs named tasks until
// told to stop; it never returns into the program.

/// What a spawned pool worker is told through its environment.
struct SpawnedWorker {
    struct Spec: Equatable {
        var channel: Int
        var channels: Int
        var ringCapacity: Int
        var arenaCapacity: Int
        var streamCapacity: Int
        /// 0: no limit.
        var maxTasksPerChild: Int
        var parentPid: Int32
        var name: String
        var mapDescriptor: Int32
        var wakeDescriptor: Int32
        /// A fork server's control socket; -1 for a worker.
        var controlDescriptor: Int32 = -1

        static let marker = "MULTIPROCESSING_SPAWNED"
        static let variable = "MULTIPROCESSING_POOL_WORKER"

        /// The two environment entries that make the program a worker (or a fork server).
        var environment: [String] {
            let fields = [channel, channels, ringCapacity, arenaCapacity, streamCapacity, maxTasksPerChild,
                          Int(parentPid), Int(mapDescriptor), Int(wakeDescriptor), Int(controlDescriptor)].map(String.init) + [name]
            let role = controlDescriptor >= 0 ? "forkserver" : "pool-worker"
            return ["\(Self.marker)=\(role)", "\(Self.variable)=" + fields.joined(separator: " ")]
        }

        /// Reads what `environment` wrote; nil when it is not a worker's description.
        init?(environmentValue text: String) {
            let fields = text.split(separator: " ", maxSplits: 10).map(String.init)
            guard fields.count == 11 else { return nil }
            let numbers = fields.prefix(10).compactMap { Int($0) }
            guard numbers.count == 10 else { return nil }
            (channel, channels, ringCapacity, arenaCapacity, streamCapacity, maxTasksPerChild) =
                (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
            (parentPid, mapDescriptor, wakeDescriptor) = (Int32(numbers[6]), Int32(numbers[7]), Int32(numbers[8]))
            controlDescriptor = Int32(numbers[9])
            name = fields[10]
        }

        init(channel: Int, channels: Int, ringCapacity: Int, arenaCapacity: Int, streamCapacity: Int,
             maxTasksPerChild: Int, parentPid: Int32, name: String, mapDescriptor: Int32, wakeDescriptor: Int32,
             controlDescriptor: Int32 = -1) {
            self.controlDescriptor = controlDescriptor
            (self.channel, self.channels, self.ringCapacity, self.arenaCapacity, self.streamCapacity) =
                (channel, channels, ringCapacity, arenaCapacity, streamCapacity)
            (self.maxTasksPerChild, self.parentPid, self.name) = (maxTasksPerChild, parentPid, name)
            (self.mapDescriptor, self.wakeDescriptor) = (mapDescriptor, wakeDescriptor)
        }
    }

    /// Runs the worker described by the environment, then ends the process.
    static func run() -> Never {
        let marker = system_takeEnvironmentValue(Spec.marker)
        guard marker == "pool-worker" || marker == "forkserver", let text = system_takeEnvironmentValue(Spec.variable),
              let spec = Spec(environmentValue: text) else {
            system_writeStandardError("multiprocessing: this program was started as a worker (\(Spec.marker)=\(marker ?? "")) without a valid \(Spec.variable); unset \(Spec.marker) to run it normally\n")
            system_exit(2)
        }
        // A worker dies with its pool's process, as a forked daemon worker does.
        try? system_setParentDeathSignal(SIGKILL)
        if system_getppid() != spec.parentPid { system_exit(1) }
        if marker == "forkserver" { ForkServer.run(spec, control: spec.controlDescriptor) }
        let pid = system_getpid()
        let me = Process(mainProcessWithPid: pid)
        me.name = spec.name
        ProcessTable.resetAfterFork(current: me, parentPid: spec.parentPid,
                                    parent: Process(parentWithPid: spec.parentPid, name: "MainProcess", identity: []))
        Trace.processStarted(pid: pid, parent: spec.parentPid, name: spec.name)
        guard let transport = try? PoolTransport(
            attaching: spec.mapDescriptor, channels: spec.channels, ringCapacity: spec.ringCapacity,
            arenaCapacity: spec.arenaCapacity, streamCapacity: spec.streamCapacity) else { system_exit(1) }
        let worker = PoolWorker(
            transport: transport, channel: spec.channel, knownJobs: 0, wakeDescriptor: spec.wakeDescriptor,
            initializer: nil, maxTasksPerChild: spec.maxTasksPerChild > 0 ? spec.maxTasksPerChild : nil,
            closureBody: { _ in nil })
        worker.run()
        fflush(nil)
        system_exit(0)
    }
}

/// Called by the C shim's constructor in a program started as a spawned worker; never returns.
/// Not for direct use.
@_cdecl("cmp_spawned_entry")
public func _multiprocessingSpawnedEntry() {
    SpawnedWorker.run()
}
