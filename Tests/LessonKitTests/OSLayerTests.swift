import Testing
@testable import LessonKit

/// LessonKit's one OS layer: no system call, lock or C shim call outside `Sources/LessonKit/OS`.
@Suite struct OSLayerTests {
    static let calls = ["open", "close", "read", "write", "pipe", "pipe2", "poll", "fork", "vfork", "execve", "kill", "killpg",
                        "waitpid", "waitid", "getpid", "getppid", "getpgrp", "setpgid", "setsid", "mkdir", "rmdir", "unlink",
                        "rename", "stat", "lstat", "fstat", "mkdtemp", "chdir", "fchdir", "getcwd", "isatty", "ioctl", "mmap",
                        "munmap", "signal", "sigaction", "raise", "atexit", "getenv", "setenv", "usleep", "sleep", "nanosleep",
                        "clock_gettime", "opendir", "readdir", "closedir", "access", "utimensat", "prctl", "sysconf", "strerror",
                        "fcntl", "dup2", "fsync", "fchmod", "chmod", "posix_spawn", "posix_spawnp", "fflush", "strdup", "free"]

    func swiftFiles(_ directory: String) -> [String] {
        FileSystem.list(directory).flatMap { name -> [String] in
            let path = directory + "/" + name
            return FileSystem.isDirectory(path) ? swiftFiles(path) : name.hasSuffix(".swift") ? [path] : []
        }
    }

    @Test func noSystemCallOutsideTheOSLayer() throws {
        let pattern = try Regex("(^|[^.\\w])(" + Self.calls.joined(separator: "|") + "|pthread_\\w+|clk_\\w+)\\(")
        var found: [String] = []
        let sources = packageRoot + "/Sources/LessonKit"
        for file in swiftFiles(sources) where !file.hasPrefix(sources + "/OS/") {
            var inTextBlock = false
            for (number, line) in try FileSystem.readUTF8(file).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingPrefix(while: { $0 == " " })
                // A multi-line string literal (a hook's Python or JavaScript source) is text, not calls.
                if line.ranges(of: "\"\"\"").count % 2 == 1 { inTextBlock.toggle(); continue }
                if inTextBlock || code.hasPrefix("//") || code.contains("func ") { continue }
                if line.contains(pattern) { found.append("\(relativePath(file, to: packageRoot)):\(number + 1): \(code)") }
            }
        }
        #expect(found.isEmpty, "system calls outside Sources/LessonKit/OS:\n\(found.joined(separator: "\n"))")
    }

    /// The check itself finds a raw call.
    @Test func theCheckFindsARawCall() throws {
        let pattern = try Regex("(^|[^.\\w])(" + Self.calls.joined(separator: "|") + ")\\(")
        #expect("    let fd = open(path, O_RDONLY)".contains(pattern))
        #expect(!"    try FileSystem.rename(a, to: b)".contains(pattern))
    }
}
