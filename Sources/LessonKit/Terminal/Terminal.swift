/// Whether `descriptor` is a terminal.
public func isTerminal(_ descriptor: Int32) -> Bool { system_isTerminal(descriptor) }

/// The terminal's width in columns: the window size, else `COLUMNS`, else 80.
public func terminalColumns(_ descriptor: Int32 = 1) -> Int {
    if let columns = system_terminalColumns(descriptor) { return columns }
    if let columns = environmentValue("COLUMNS").flatMap(Int.init), columns > 0 { return columns }
    return 80
}

/// Writes text to standard output now (unbuffered by Swift's `print`).
public func writeOut(_ text: String) {
    system_flushStandardIO()
    _ = Array(text.utf8).withUnsafeBytes { system_writeAll(1, $0) }
}

/// Writes text to standard error.
public func writeError(_ text: String) {
    _ = Array(text.utf8).withUnsafeBytes { system_writeAll(2, $0) }
}

/// The terminal's height in rows: the window size, else `LINES`, else 24.
public func terminalRows(_ descriptor: Int32 = 1) -> Int {
    if let rows = system_terminalRows(descriptor) { return rows }
    if let rows = environmentValue("LINES").flatMap(Int.init), rows > 0 { return rows }
    return 24
}
