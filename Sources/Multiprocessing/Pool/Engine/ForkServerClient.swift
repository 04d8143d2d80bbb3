import Glibc

// The pool's side of a fork server (see `ForkServer`): starts it, asks it for workers, and
// learns from it how each worker ended (the workers are its children, not ours). Used only on
// the pool's handler thread.

final class ForkServerClient {
    let pid: Int32
    private var socket: Int32
    /// Exit codes reported before anyone asked for them.
    private var exited: [Int32: Int32] = [:]

    /// Spawns the server, handing it the transport's memory file and the wake-up pipe.
    init(transport: PoolTransport, wakeDescriptor: Int32, maxTasksPerChild: Int?) throws {
        let (mine, theirs) = try system_socketpair()
        let target = max(transport.fileDescriptor, wakeDescriptor, theirs, 2) + 1
        let spec = SpawnedWorker.Spec(
            channel: 0, channels: transport.channelCount, ringCapacity: transport.ringCapacity,
            arenaCapacity: transport.arenaCapacity, streamCapacity: transport.streamCapacity,
            maxTasksPerChild: maxTasksPerChild ?? 0, parentPid: system_getpid(), name: "ForkServer",
            mapDescriptor: target, wakeDescriptor: target + 1, controlDescriptor: target + 2)
        do {
            pid = try system_spawnSelf(
                environment: system_environment() + spec.environment,
                descriptors: [(transport.fileDescriptor, target), (wakeDescriptor, target + 1), (theirs, target + 2)])
        } catch {
            system_close(mine)
            system_close(theirs)
            throw error
        }
        system_close(theirs)
        socket = mine
    }

    /// Asks for worker `number` on `channel`; returns its pid.
    func startWorker(channel: Int, number: Int) throws -> Int32 {
        try ForkServerMessage.writeRequest(socket, channel: channel, number: number)
        while let message = ForkServerMessage.read(socket) {
            let (kind, pid, code) = message.withUnsafeBytes {
                ($0.load(as: Int32.self), $0.load(fromByteOffset: 4, as: Int32.self), $0.load(fromByteOffset: 8, as: Int32.self))
            }
            if kind == 2 { exited[pid] = code; continue }
            if pid <= 0 { break }
            return pid
        }
        throw SystemError(call: "fork() in the fork server", errno: EAGAIN)
    }

    /// How worker `pid` ended (it has ended: its pidfd said so); -1 when the server is gone.
    func exitCode(of pid: Int32) -> Int32 {
        while exited[pid] == nil {
            guard let message = ForkServerMessage.read(socket) else { return -1 }
            message.withUnsafeBytes {
                if $0.load(as: Int32.self) == 2 {
                    exited[$0.load(fromByteOffset: 4, as: Int32.self)] = $0.load(fromByteOffset: 8, as: Int32.self)
                }
            }
        }
        return exited.removeValue(forKey: pid)!
    }

    deinit { close() }

    /// Closes the control socket (the server ends once its workers are gone) and reaps it.
    func close() {
        guard socket >= 0 else { return }
        system_close(socket)
        socket = -1
        _ = try? system_waitpid(pid)
    }
}
