import Glibc

/// Whether `descriptor` is a terminal.
public func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

/// The terminal's width in columns: the window size, else `COLUMNS`, else 80.
public func terminalColumns(_ descriptor: Int32 = 1) -> Int {
    var size = winsize()
    if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let columns = environmentValue("COLUMNS").flatMap(Int.init), columns > 0 { return columns }
    return 80
}

/// Writes text to standard output now (unbuffered by Swift's `print`).
public func writeOut(_ text: String) {
    var text = text
    fflush(nil)
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { if errno == EINTR { continue }; return }
            offset += written
        }
    }
}

/// Writes text to standard error.
public func writeError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// The terminal's height in rows: the window size, else `LINES`, else 24.
public func terminalRows(_ descriptor: Int32 = 1) -> Int {
    var size = winsize()
    if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
    if let rows = environmentValue("LINES").flatMap(Int.init), rows > 0 { return rows }
    return 24
}

// MARK: - The pager's process

/// A program reading this process's output: its pid, the write end of its input pipe, and
/// copies of the descriptors it replaced.
struct OutputReader {
    var pid: pid_t
    var savedDescriptors: [Int32: Int32]
}

/// Starts `/bin/sh -c command` (with `extraEnvironment` added to this process's environment)
/// reading a pipe, and points `descriptors` (1, and 2 when it is a terminal too) at that pipe.
/// Nil when the pipe or the program cannot be made (nothing is changed then).
func startOutputReader(command: String, extraEnvironment: [String: String], descriptors: [Int32]) -> OutputReader? {
    var fds: [Int32] = [-1, -1]
    guard makePipe(&fds) else { return nil }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
    var environment: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.firstIndex(of: "=") { environment[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        entry += 1
    }
    environment.merge(extraEnvironment) { _, added in added }
    let envp = environment.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    fflush(nil)
    let status = withCStrings(["/bin/sh", "-c", command]) { argv in
        withCStrings(envp) { env in posix_spawn(&pid, "/bin/sh", &actions, nil, argv, env) }
    }
    close(fds[0])
    guard status == 0 else { close(fds[1]); return nil }
    var saved: [Int32: Int32] = [:]
    for descriptor in descriptors {
        saved[descriptor] = fcntl(descriptor, F_DUPFD_CLOEXEC, 10)
        dup2(fds[1], descriptor)
    }
    close(fds[1])
    // When the reader quits early (`q` in less), the next write gets SIGPIPE: the programs
    // this process started are killed with it, as on Ctrl-C.
    _ = signal(SIGPIPE) { number in
        RunningGroups.killRegistered()
        signal(number, SIG_DFL)
        raise(number)
    }
    return OutputReader(pid: pid, savedDescriptors: saved)
}

/// Gives `reader` its end of input (the replaced descriptors come back) and waits for it to end.
func finishOutputReader(_ reader: OutputReader) {
    fflush(nil)
    for (descriptor, copy) in reader.savedDescriptors where copy >= 0 {
        dup2(copy, descriptor)
        close(copy)
    }
    var status: Int32 = 0
    while waitpid(reader.pid, &status, 0) < 0 && errno == EINTR {}
    _ = signal(SIGPIPE, SIG_DFL)
}

/// Whether `program` is an executable file on `PATH`.
func isOnPath(_ program: String) -> Bool {
    (environmentValue("PATH") ?? "/usr/bin:/bin").split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
}
