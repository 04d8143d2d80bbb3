/// Where LessonKit's temporary directories live: one root per `learn-mp` process,
/// `$TMPDIR/learn-mp-<pid>-XXXXXX` (or under /tmp), shared by the runner processes it forks.
///
/// The process that made the root removes it when it exits normally and when SIGINT, SIGTERM or
/// SIGHUP stops it (see `Interrupts`), so an interrupted run leaves no `learn-mp-*` directory.
public enum ScratchSpace {
    /// The root, made on first use; later calls (and forked processes) get the same path.
    public static func root() throws(FileError) -> String {
        Interrupts.prepare()
        lock.lock()
        defer { lock.unlock() }
        if let path { return path }
        let base = system_environmentValue("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        switch system_mkdtemp("\(base)/learn-mp-\(system_getpid())-XXXXXX") {
        case .success(let made):
            path = made
            cPath = system_permanentCString(made)
            creator = system_getpid()
            system_atExit { ScratchSpace.removeIfCreator() }
            return made
        case .failure(let error):
            throw FileError(operation: "create a temporary directory in", path: base, errno: error.errno)
        }
    }

    /// Removes the root if this process made it; only async-signal-safe work (a signal handler
    /// calls it). A runner process still writing into it may make one attempt fail: retried.
    static func removeIfCreator() {
        guard let cPath, creator == system_getpid() else { return }
        for _ in 0..<20 {
            if system_removeTree(cPath) { return }
        }
    }

    nonisolated(unsafe) private static var path: String?
    nonisolated(unsafe) private static var cPath: UnsafePointer<CChar>?
    nonisolated(unsafe) private static var creator: Int32 = 0
    private static let lock = Lock()
}
