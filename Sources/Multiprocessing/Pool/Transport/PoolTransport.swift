import CMultiprocessing
import Glibc

// The shared-memory transport between a pool's parent and its workers, Python's
// inqueue/outqueue: one task ring all workers take from (with a byte arena for the payloads
// of named tasks), and per worker a "current task" slot plus a single-producer byte stream
// for its results. Everything lives in one MAP_SHARED mapping made before any worker starts.
//
// Layout (offsets in bytes):
//   0      header: parentSleeping (u32)
//   64     task ring header: robust mutex, head, tail, sleepers, sequence, arena head/tail
//   256    task records, `ringCapacity` x 40 bytes (kind, job, chunk, payload start, length)
//   then   the payload arena, `arenaCapacity` bytes
//   then   per worker: 192-byte channel header, then `streamCapacity` bytes of stream

/// What a task record asks of a worker.
enum TaskKind: Int64 {
    /// Run chunk `chunk` of closure job `job` (known to workers forked after it was submitted).
    case run = 1
    /// Exit (the pool is closing).
    case stop = 2
    /// A cancelled task: skip it.
    case cancelled = 3
    /// Run chunk `chunk` of job `job`, a named task whose payload is in the arena.
    case runNamed = 4
}

/// One task on its way to the ring.
struct QueuedTask {
    var kind: TaskKind
    var job: Int64
    var chunk: Int64
    /// A named task's chunk (see `TaskPayload`); empty for the other kinds.
    var payload: [UInt8] = []
}

/// The shared mapping: the task ring, its payload arena and the worker channels.
final class PoolTransport: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let size: Int
    let ringCapacity: Int
    let arenaCapacity: Int
    let streamCapacity: Int
    let channelCount: Int

    private static let ringHeader = 64
    private static let recordsOffset = 256
    private static let recordSize = 40
    private static let channelHeaderSize = 192

    /// The memory file holding the mapping when it must cross exec (spawned workers); else -1.
    private(set) var fileDescriptor: Int32

    /// Makes the mapping. `crossingExec` puts it in a memory file a spawned worker can map.
    init(channels: Int, ringCapacity: Int = 1 << 15, arenaCapacity: Int = 1 << 23, streamCapacity: Int = 1 << 20,
         crossingExec: Bool = false) throws {
        self.channelCount = channels
        self.ringCapacity = ringCapacity
        self.arenaCapacity = arenaCapacity
        self.streamCapacity = streamCapacity
        partial = [[UInt8]](repeating: [], count: channels)
        partialNeeded = [Int](repeating: 0, count: channels)
        size = Self.size(channels: channels, ringCapacity: ringCapacity, arenaCapacity: arenaCapacity, streamCapacity: streamCapacity)
        if crossingExec {
            (fileDescriptor, base) = try system_makeSharedMemoryFile(size, name: "multiprocessing-pool")
        } else {
            fileDescriptor = -1
            base = try system_mapShared(size, lazily: true)
        }
        let rc = cmp_mutex_init_shared(mutex, 0)
        // On failure deinit (which runs: every property is set) unmaps the block.
        if rc != 0 { throw SystemError(call: "pthread_mutex_init(shared)", errno: rc) }
    }

    /// A spawned worker's view of its parent's mapping, from the memory file `fd`.
    init(attaching fd: Int32, channels: Int, ringCapacity: Int, arenaCapacity: Int, streamCapacity: Int) throws {
        self.channelCount = channels
        self.ringCapacity = ringCapacity
        self.arenaCapacity = arenaCapacity
        self.streamCapacity = streamCapacity
        partial = []
        partialNeeded = []
        size = Self.size(channels: channels, ringCapacity: ringCapacity, arenaCapacity: arenaCapacity, streamCapacity: streamCapacity)
        fileDescriptor = fd
        base = try system_mapSharedFile(fd, size)
    }

    private static func size(channels: Int, ringCapacity: Int, arenaCapacity: Int, streamCapacity: Int) -> Int {
        recordsOffset + ringCapacity * recordSize + arenaCapacity + channels * (channelHeaderSize + streamCapacity)
    }

    deinit {
        system_unmap(base, size)
        closeFile()
    }

    /// Closes the memory file once no worker will be spawned any more (the mapping stays).
    func closeFile() {
        if fileDescriptor >= 0 { system_close(fileDescriptor) }
        fileDescriptor = -1
    }

    // MARK: Header

    var parentSleeping: UnsafeMutablePointer<UInt32> { base.assumingMemoryBound(to: UInt32.self) }

    // MARK: Task ring

    var mutex: UnsafeMutablePointer<pthread_mutex_t> {
        (base + Self.ringHeader).assumingMemoryBound(to: pthread_mutex_t.self)
    }
    private var head: UnsafeMutablePointer<Int64> { (base + 128).assumingMemoryBound(to: Int64.self) }
    private var tail: UnsafeMutablePointer<Int64> { (base + 136).assumingMemoryBound(to: Int64.self) }
    private var sleepers: UnsafeMutablePointer<UInt32> { (base + 144).assumingMemoryBound(to: UInt32.self) }
    private var sequence: UnsafeMutablePointer<UInt32> { (base + 148).assumingMemoryBound(to: UInt32.self) }
    /// Arena positions (monotonic byte counts): payloads before `arenaHead` are free again.
    private var arenaHead: UnsafeMutablePointer<Int64> { (base + 152).assumingMemoryBound(to: Int64.self) }
    private var arenaTail: UnsafeMutablePointer<Int64> { (base + 160).assumingMemoryBound(to: Int64.self) }
    private var arena: UnsafeMutableRawPointer { base + Self.recordsOffset + ringCapacity * Self.recordSize }

    @inline(__always)
    private func record(_ position: Int64) -> UnsafeMutablePointer<Int64> {
        (base + Self.recordsOffset + Int(position % Int64(ringCapacity)) * Self.recordSize)
            .assumingMemoryBound(to: Int64.self)
    }

    /// Tasks in the ring (including cancelled ones not yet skipped).
    var queuedCount: Int {
        system_lockRobust(mutex)
        defer { system_unlockRobust(mutex) }
        return Int(tail.pointee - head.pointee)
    }

    /// With the mutex held: reserves `count` contiguous arena bytes; returns their start
    /// position, or nil when they do not fit now.
    private func reserveArena(_ count: Int) -> Int64? {
        let capacity = Int64(arenaCapacity)
        var start = arenaTail.pointee
        let offset = start % capacity
        if offset + Int64(count) > capacity { start += capacity - offset }  // skip the wrap
        guard start + Int64(count) - arenaHead.pointee <= capacity else { return nil }
        arenaTail.pointee = start + Int64(count)
        return start
    }

    /// Appends as many of `tasks` (in order) as fit in the ring and the arena; returns how
    /// many were appended. Never blocks. Wakes sleeping workers.
    func push(_ tasks: UnsafeBufferPointer<QueuedTask>) -> Int {
        system_lockRobust(mutex)
        let free = ringCapacity - Int(tail.pointee - head.pointee)
        var count = 0
        var position = tail.pointee
        while count < min(free, tasks.count) {
            let task = tasks[count]
            var start: Int64 = 0
            if !task.payload.isEmpty {
                guard let reserved = reserveArena(task.payload.count) else { break }
                start = reserved
                task.payload.withUnsafeBytes { bytes in
                    _ = memcpy(arena + Int(start % Int64(arenaCapacity)), bytes.baseAddress!, bytes.count)
                }
            }
            let slot = record(position)
            slot[0] = task.kind.rawValue
            slot[1] = task.job
            slot[2] = task.chunk
            slot[3] = start
            slot[4] = Int64(task.payload.count)
            position += 1
            count += 1
        }
        tail.pointee = position
        let waiting = sleepers.pointee
        if count > 0, waiting > 0 {
            sequence.pointee &+= 1
        }
        system_unlockRobust(mutex)
        if count > 0, waiting > 0 {
            cmp_futex_wake(sequence, Int32(min(Int(waiting), count)))
        }
        return count
    }

    /// Marks every queued task of `job` (or of every job when nil) cancelled; returns how
    /// many were.
    func cancel(job: Int64?) -> Int {
        system_lockRobust(mutex)
        defer { system_unlockRobust(mutex) }
        var cancelled = 0
        var position = head.pointee
        while position < tail.pointee {
            let slot = record(position)
            if slot[0] == TaskKind.run.rawValue || slot[0] == TaskKind.runNamed.rawValue, job == nil || slot[1] == job {
                slot[0] = TaskKind.cancelled.rawValue
                cancelled += 1
            }
            position += 1
        }
        return cancelled
    }

    /// What a worker took from the ring.
    enum Taken {
        /// A closure job's chunk.
        case run(job: Int64, chunk: Int64)
        /// A named task's chunk; its payload was copied into the buffer passed to `take`.
        case runNamed(job: Int64, chunk: Int64)
        case stop
        /// The next task belongs to a closure job submitted after this worker was forked.
        case unknownJob
    }

    /// Takes the next task, sleeping while the ring is empty. The task is published in the
    /// worker's slot before it leaves the ring, so a worker that dies holding it is noticed.
    /// A named task's payload is copied into `payload` (replacing its contents).
    func take(knownJobs: Int64, channel: Int, payload: inout [UInt8]) -> Taken {
        let current = taskSlot(channel)
        system_lockRobust(mutex)
        while true {
            if head.pointee == tail.pointee {
                sleepers.pointee += 1
                let seen = sequence.pointee
                system_unlockRobust(mutex)
                _ = cmp_futex_wait(sequence, seen, -1)
                system_lockRobust(mutex)
                sleepers.pointee -= 1
                continue
            }
            let slot = record(head.pointee)
            let job = slot[1], chunk = slot[2]
            switch slot[0] {
            case TaskKind.run.rawValue:
                if job > knownJobs {
                    // Leave it for a worker that knows the job; let another sleeper look.
                    if sleepers.pointee > 0 {
                        sequence.pointee &+= 1
                        system_unlockRobust(mutex)
                        cmp_futex_wake(sequence, 1)
                    } else {
                        system_unlockRobust(mutex)
                    }
                    return .unknownJob
                }
                return claim(job: job, chunk: chunk, slot: current, as: .run(job: job, chunk: chunk))
            case TaskKind.runNamed.rawValue:
                let start = slot[3], length = Int(slot[4])
                payload.removeAll(keepingCapacity: true)
                payload.append(contentsOf: UnsafeRawBufferPointer(start: arena + Int(start % Int64(arenaCapacity)), count: length))
                releaseArena(slot)
                return claim(job: job, chunk: chunk, slot: current, as: .runNamed(job: job, chunk: chunk))
            case TaskKind.stop.rawValue:
                head.pointee += 1
                system_unlockRobust(mutex)
                return .stop
            default:
                releaseArena(slot)
                head.pointee += 1
            }
        }
    }

    /// With the mutex held: publishes the task at the head in the worker's slot, takes it off
    /// the ring and releases the mutex.
    private func claim(job: Int64, chunk: Int64, slot current: UnsafeMutablePointer<Int64>, as taken: Taken) -> Taken {
        current[1] = chunk
        cmp_store_i64(current, job)
        head.pointee += 1
        system_unlockRobust(mutex)
        return taken
    }

    /// With the mutex held: frees the arena bytes of the record leaving the ring.
    private func releaseArena(_ slot: UnsafeMutablePointer<Int64>) {
        if slot[4] > 0 { arenaHead.pointee = slot[3] + slot[4] }
    }

    // MARK: Worker channels

    private func channel(_ index: Int) -> UnsafeMutableRawPointer {
        base + Self.recordsOffset + ringCapacity * Self.recordSize + arenaCapacity
            + index * (Self.channelHeaderSize + streamCapacity)
    }

    /// The worker's current task: [job (0 = idle), chunk].
    func taskSlot(_ index: Int) -> UnsafeMutablePointer<Int64> {
        channel(index).assumingMemoryBound(to: Int64.self)
    }

    /// Resets a channel for a new worker (the previous one has been reaped and drained).
    func resetChannel(_ index: Int) {
        let header = channel(index)
        memset(header, 0, Self.channelHeaderSize)
        partial[index] = []
        partialNeeded[index] = 0
    }

    /// Parent side: a frame larger than the stream, being gathered, per channel.
    private var partial: [[UInt8]]
    private var partialNeeded: [Int]

    // Stream header: writePos at +64, spaceSequence/writerWaiting at +72/+76, readPos at +128.
    private func writePosition(_ index: Int) -> UnsafeMutablePointer<Int64> {
        (channel(index) + 64).assumingMemoryBound(to: Int64.self)
    }
    private func spaceSequence(_ index: Int) -> UnsafeMutablePointer<UInt32> {
        (channel(index) + 72).assumingMemoryBound(to: UInt32.self)
    }
    private func writerWaiting(_ index: Int) -> UnsafeMutablePointer<UInt32> {
        (channel(index) + 76).assumingMemoryBound(to: UInt32.self)
    }
    private func readPosition(_ index: Int) -> UnsafeMutablePointer<Int64> {
        (channel(index) + 128).assumingMemoryBound(to: Int64.self)
    }
    private func streamBytes(_ index: Int) -> UnsafeMutableRawPointer {
        channel(index) + Self.channelHeaderSize
    }

    /// Worker side: appends `bytes` to the channel's stream, waiting for the parent to make
    /// room when it is full; wakes the parent (through `wakeDescriptor`) if it sleeps.
    func write(_ bytes: UnsafeRawBufferPointer, channel index: Int, wakeDescriptor: Int32) {
        let stream = streamBytes(index)
        let writePos = writePosition(index)
        let readPos = readPosition(index)
        var offset = 0
        var position = writePos.pointee
        while offset < bytes.count {
            var free = streamCapacity - Int(position - cmp_load_i64(readPos))
            if free == 0 {
                publish(position, writePos, wakeDescriptor)
                let waiting = writerWaiting(index)
                let sequence = spaceSequence(index)
                cmp_store_u32(waiting, 1)
                let seen = cmp_load_u32(sequence)
                cmp_fence()
                free = streamCapacity - Int(position - cmp_load_i64(readPos))
                if free == 0 {
                    _ = cmp_futex_wait(sequence, seen, 100_000_000)
                    continue
                }
            }
            let start = Int(position % Int64(streamCapacity))
            let count = min(free, bytes.count - offset, streamCapacity - start)
            memcpy(stream + start, bytes.baseAddress! + offset, count)
            offset += count
            position += Int64(count)
        }
        publish(position, writePos, wakeDescriptor)
    }

    @inline(__always)
    private func publish(_ position: Int64, _ writePos: UnsafeMutablePointer<Int64>, _ wake: Int32) {
        cmp_store_i64(writePos, position)
        cmp_fence()
        if cmp_load_u32(parentSleeping) != 0, cmp_exchange_u32(parentSleeping, 0) != 0 {
            system_wakeSignal(wake)
        }
    }

    /// Parent side: whether the channel has unread bytes.
    func hasData(channel index: Int) -> Bool {
        cmp_load_i64(writePosition(index)) != readPosition(index).pointee
    }

    /// Parent side: calls `body` with each complete frame ([UInt32 length][payload]) in the
    /// stream, then releases the bytes read. Returns the number of frames. A frame larger
    /// than the stream is gathered across calls, releasing space as it arrives.
    func readFrames(channel index: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        let stream = UnsafeRawPointer(streamBytes(index))
        let readPos = readPosition(index)
        var position = readPos.pointee
        let end = cmp_load_i64(writePosition(index))
        var frames = 0
        let capacity = Int64(streamCapacity)
        while true {
            if partialNeeded[index] > 0 {
                let count = Int(min(end - position, Int64(partialNeeded[index])))
                if count == 0 { break }
                let start = Int(position % capacity)
                let first = min(count, streamCapacity - start)
                partial[index].append(contentsOf: UnsafeRawBufferPointer(start: stream + start, count: first))
                if first < count {
                    partial[index].append(contentsOf: UnsafeRawBufferPointer(start: stream, count: count - first))
                }
                position += Int64(count)
                partialNeeded[index] -= count
                if partialNeeded[index] == 0 {
                    partial[index].withUnsafeBytes { body($0) }
                    partial[index] = []
                    frames += 1
                }
                continue
            }
            guard end - position >= 4 else { break }
            var length: UInt32 = 0
            copyOut(stream, from: position, count: 4, to: &length)
            let total = 4 + Int64(length)
            if total > capacity {
                position += 4
                partial[index] = []
                partial[index].reserveCapacity(Int(length))
                partialNeeded[index] = Int(length)
                continue
            }
            if end - position < total { break }
            let start = Int((position + 4) % capacity)
            if start + Int(length) <= streamCapacity {
                body(UnsafeRawBufferPointer(start: stream + start, count: Int(length)))
            } else {
                if scratch.count < Int(length) { scratch = [UInt8](repeating: 0, count: Int(length)) }
                scratch.withUnsafeMutableBytes { buffer in
                    let first = streamCapacity - start
                    memcpy(buffer.baseAddress!, stream + start, first)
                    memcpy(buffer.baseAddress! + first, stream, Int(length) - first)
                }
                scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
            }
            position += total
            frames += 1
        }
        release(index, to: position)
        return frames
    }

    private func copyOut<T>(_ stream: UnsafeRawPointer, from position: Int64, count: Int, to value: inout T) {
        let start = Int(position % Int64(streamCapacity))
        withUnsafeMutableBytes(of: &value) { out in
            let first = min(count, streamCapacity - start)
            memcpy(out.baseAddress!, stream + start, first)
            if first < count { memcpy(out.baseAddress! + first, stream, count - first) }
        }
    }

    private func release(_ index: Int, to position: Int64) {
        let readPos = readPosition(index)
        guard position != readPos.pointee else { return }
        cmp_store_i64(readPos, position)
        cmp_fence()
        if cmp_load_u32(writerWaiting(index)) != 0 {
            cmp_store_u32(writerWaiting(index), 0)
            _ = cmp_fetch_add_u32(spaceSequence(index), 1)
            cmp_futex_wake(spaceSequence(index), 1)
        }
    }
}
