import Glibc

// The system calls of the terminal view: the window's height, the pager's process, pauses.

/// The terminal's height in rows, or nil when `fd` is not a terminal.
func system_terminalRows(_ fd: Int32) -> Int? {
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
    return Int(size.ws_row)
}

/// Sleeps `seconds`.

// MARK: - The pager's process

/// A program reading this process's output: its pid, and copies of the descriptors it replaced.
struct OutputReader {
    var pid: pid_t
    var savedDescriptors: [Int32: Int32]
}

/// Starts `/bin/sh -c command` (with `extraEnvironment` added to this process's environment)
/// reading a pipe, and points `descriptors` at that pipe. Nil when the pipe or the program
/// cannot be made (nothing is changed then).
func system_startOutputReader(command: String, extraEnvironment: [String: String], descriptors: [Int32]) -> OutputReader? {
    guard case .success(let made) = system_pipe() else { return nil }
    let fds = [made.read, made.write]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
    var environment: [String: String] = [:]
    for text in system_environment() {
        if let equals = text.firstIndex(of: "=") { environment[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
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
func system_finishOutputReader(_ reader: OutputReader) {
    fflush(nil)
    for (descriptor, copy) in reader.savedDescriptors where copy >= 0 {
        dup2(copy, descriptor)
        close(copy)
    }
    var status: Int32 = 0
    while waitpid(reader.pid, &status, 0) < 0 && errno == EINTR {}
    _ = signal(SIGPIPE, SIG_DFL)
}
