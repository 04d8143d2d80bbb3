import Glibc

/// One process as `/proc/<pid>/stat` shows it.
struct ProcessEntry: Equatable {
    var pid: Int32
    /// The command name (at most 15 bytes).
    var name: String
    /// `R`, `S`, `Z` (a zombie: ended, not reaped), ...
    var state: Character
    var parent: Int32
    var group: Int32
    var session: Int32
    /// When it started, in seconds since boot.
    var started: Double

    /// Parses a `/proc/<pid>/stat` line; nil when it is not one.
    init?(stat text: String) {
        // `pid (name) state ppid pgrp session …`: the name may hold spaces and parentheses.
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = Int32(text[..<open].trimmed(of: " ")) else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]), let group = Int32(fields[2]),
              let session = Int32(fields[3]), let ticks = Double(fields[19]) else { return nil }
        self.pid = pid
        name = String(text[text.index(after: open)..<close])
        self.state = state
        self.parent = parent
        self.group = group
        self.session = session
        started = ticks / ProcessEntry.ticksPerSecond
    }

    static let ticksPerSecond = system_clockTicksPerSecond()
}

/// The processes of the machine (those this process can see in `/proc`).
enum ProcessTable {
    /// Every process now (one that ends while it is read is left out).
    static func snapshot() -> [ProcessEntry] {
        var buffer = [UInt8](repeating: 0, count: 1024)  // a stat line is a few hundred bytes
        return (system_listDirectory("/proc") ?? []).compactMap { name in
            guard name.first?.isNumber == true, case .success(let fd) = system_open("/proc/\(name)/stat", O_RDONLY) else { return nil }
            defer { system_close(fd) }
            guard case .success(let count) = buffer.withUnsafeMutableBytes({ system_read(fd, into: $0) }), count > 0 else { return nil }
            return ProcessEntry(stat: String(decoding: buffer[0..<count], as: UTF8.self))
        }
    }

    /// The processes that belong to the program led by `leader`, spawned by this process at
    /// `since` (seconds since boot), whatever their session or process group: those below the
    /// leader, and the orphans it left that were re-parented to this process (a child
    /// subreaper) with everything below them. An orphan is this process's child that is not one
    /// of its own programs (``RunningGroups/own()``) nor in one of their groups, is not in this
    /// process's own group (where its ordinary forks stay), and started after the program did.
    static func descendants(of leader: Int32, since: Double, in table: [ProcessEntry] = snapshot()) -> [ProcessEntry] {
        let me = system_getpid()
        let myGroup = system_getpgrp()
        let others = RunningGroups.own().subtracting([leader])
        var children: [Int32: [ProcessEntry]] = [:]
        for entry in table { children[entry.parent, default: []].append(entry) }
        var pending = children[leader] ?? []
        pending += (children[me] ?? []).filter { entry in
            entry.pid != leader && !others.contains(entry.pid) && !others.contains(entry.group)
                && entry.group != myGroup && entry.started >= since - 0.05
        }
        var found: [ProcessEntry] = []
        var seen: Set<Int32> = [leader]
        while let entry = pending.popLast() {
            guard seen.insert(entry.pid).inserted else { continue }
            found.append(entry)
            pending += children[entry.pid] ?? []
        }
        return found
    }
}
