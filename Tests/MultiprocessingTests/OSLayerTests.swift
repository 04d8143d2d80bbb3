import Foundation
import Testing

/// Multiprocessing's one OS layer: no system call, `pthread_*` or `cmp_*` (C shim) call outside
/// `Sources/Multiprocessing/Internals/OS`.
@Suite struct OSLayerTests {
    static let calls = ["open", "close", "read", "write", "pipe", "pipe2", "poll", "fork", "vfork", "execve", "execv", "kill",
                        "killpg", "waitpid", "waitid", "getpid", "getppid", "getpgrp", "setpgid", "setsid", "mkdir", "rmdir",
                        "unlink", "rename", "stat", "lstat", "fstat", "mkdtemp", "chdir", "getcwd", "isatty", "ioctl", "mmap",
                        "munmap", "madvise", "ftruncate", "shm_open", "shm_unlink", "memfd_create", "signal", "sigaction",
                        "sigprocmask", "raise", "atexit", "getenv", "setenv", "usleep", "sleep", "nanosleep", "sched_yield",
                        "clock_gettime", "opendir", "readdir", "closedir", "access", "prctl", "sysconf", "strerror", "fcntl",
                        "dup", "dup2", "fsync", "fflush", "exit", "_exit", "syscall", "socket", "socketpair", "bind", "listen",
                        "accept", "accept4", "connect", "send", "recv", "sendmsg", "recvmsg", "shutdown", "setsockopt",
                        "getsockopt", "getsockname", "select", "posix_spawn", "strdup", "free", "malloc"]

    /// A raw call: one of `calls`, any `pthread_*` or `cmp_*` function, or a `Glibc.`-qualified one.
    static func pattern() throws -> Regex<AnyRegexOutput> {
        try Regex("(^|[^.\\w])(" + calls.joined(separator: "|") + "|pthread_\\w+|cmp_\\w+)\\(|\\bGlibc\\.\\w+\\(")
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let sources = packageRoot + "/Sources/Multiprocessing"

    /// The pool engine's files that still make raw calls (49 in all); converting them to the OS
    /// layer's wrappers removes this list.
    static let notYetConverted: Set<String> = [
        "Pool/Engine/ForkServerClient.swift", "Pool/Engine/WorkerEngine.swift", "Pool/Transport/PoolTransport.swift",
        "Pool/Transport/PoolWire.swift", "Pool/Worker/ForkServer.swift", "Pool/Worker/PoolWorker.swift",
        "Pool/Worker/SpawnedWorker.swift",
    ]

    /// The Swift files of the module, relative to `sources`.
    static func swiftFiles() -> [String] {
        let names = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted()
    }

    /// The code of a line: string literals and a trailing comment removed, declarations' names dropped.
    static func code(of line: Substring) -> String {
        var text = String(line).replacing(#/"(?:[^"\\]|\\.)*"/#, with: "\"\"")
        if let comment = text.firstRange(of: "//") { text = String(text[..<comment.lowerBound]) }
        return text.replacing(#/func\s+\w+\(/#, with: "func (")
    }

    /// The raw calls in `source`, as "line: code", skipping comments and multi-line string literals.
    static func rawCalls(in source: String) throws -> [String] {
        let pattern = try pattern()
        var found: [String] = []
        var inTextBlock = false
        for (number, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.ranges(of: "\"\"\"").count % 2 == 1 { inTextBlock.toggle(); continue }
            if inTextBlock { continue }
            let code = code(of: line)
            if code.contains(pattern) { found.append("\(number + 1): \(line.trimmingPrefix(while: { $0 == " " }))") }
        }
        return found
    }

    @Test func noSystemCallOutsideTheOSLayer() throws {
        let files = Self.swiftFiles()
        #expect(files.count > 50, "found only \(files.count) files under \(Self.sources)")
        var found: [String] = []
        for file in files where !file.hasPrefix("Internals/OS/") && !Self.notYetConverted.contains(file) {
            let source = try String(contentsOfFile: Self.sources + "/" + file, encoding: .utf8)
            found += try Self.rawCalls(in: source).map { "\(file):\($0)" }
        }
        #expect(found.isEmpty, "raw calls outside Sources/Multiprocessing/Internals/OS:\n\(found.joined(separator: "\n"))")
    }

    /// No stored `pthread_mutex_t` anywhere, the OS layer included: `&` of one races (see `Monitor`).
    @Test func noStoredMutex() throws {
        for file in Self.swiftFiles() {
            let source = try String(contentsOfFile: Self.sources + "/" + file, encoding: .utf8)
            #expect(!source.contains("pthread_mutex_t()"), "\(file) stores a pthread_mutex_t: use Monitor")
        }
    }

    /// The check itself finds raw calls, and passes wrapped ones, comments and text.
    @Test func theCheckFindsARawCall() throws {
        #expect(try Self.rawCalls(in: "    let fd = open(path, O_RDONLY)").count == 1)
        #expect(try Self.rawCalls(in: "    _ = Glibc.close(fd)").count == 1)
        #expect(try Self.rawCalls(in: "    pthread_mutex_lock(&lock)").count == 1)
        #expect(try Self.rawCalls(in: "    if cmp_load_u32(word) == 0 { return }").count == 1)
        #expect(try Self.rawCalls(in: "x = 1\n  usleep(100)").first == "2: usleep(100)")
        #expect(try Self.rawCalls(in: "    system_close(fd); word.atomicLoad(); handle.close()").isEmpty)
        #expect(try Self.rawCalls(in: "    // close(fd) here").isEmpty)
        #expect(try Self.rawCalls(in: "    throw Failure(\"call close() first\")").isEmpty)
        #expect(try Self.rawCalls(in: "    func read(into buffer: UnsafeMutableRawPointer) {").isEmpty)
        #expect(try Self.rawCalls(in: "let text = \"\"\"\n    close(fd)\n    \"\"\"").isEmpty)
    }
}
