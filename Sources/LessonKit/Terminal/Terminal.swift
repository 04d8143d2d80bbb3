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
    if let rows = system_terminalRows(descriptor) { return rows }
    if let rows = environmentValue("LINES").flatMap(Int.init), rows > 0 { return rows }
    return 24
}
