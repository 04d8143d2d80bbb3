/// The pager a long text is shown in on a terminal: `$PAGER` (run by `/bin/sh -c`), else
/// `less` when it is installed. `LESS` defaults to `FRX` (quit when the text fits one screen,
/// pass colours through, leave the text on the screen); a `LESS` of the user's own is kept.
/// `PAGER` set to an empty string or `cat` turns paging off.
public struct Pager {
    /// The shell command that shows the text.
    public var command: String

    /// The pager the environment asks for, or nil for none.
    ///
    /// - Parameter environment: looks up an environment variable (this process's by default).
    public static func configured(environment: (String) -> String? = environmentValue) -> Pager? {
        if let command = environment("PAGER") {
            let trimmed = command.trimmed(of: " \t")
            return trimmed.isEmpty || trimmed == "cat" ? nil : Pager(command: trimmed)
        }
        return Spawn.resolve("less", path: environment("PATH") ?? "/usr/bin:/bin") != nil ? Pager(command: "less") : nil
    }

    /// Runs `body` with standard output (and standard error when it is the same terminal)
    /// going into the pager, then waits until the reader quits it. Runs `body` unpaged when the
    /// pager cannot be started.
    public func show<T>(_ body: () throws -> T) rethrows -> T {
        let extra = environmentValue("LESS") == nil ? ["LESS": "FRX"] : [:]
        let descriptors: [Int32] = isTerminal(2) ? [1, 2] : [1]
        guard let reader = system_startOutputReader(command: command, extraEnvironment: extra, descriptors: descriptors) else {
            return try body()
        }
        defer { system_finishOutputReader(reader) }
        return try body()
    }
}

