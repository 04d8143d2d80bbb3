/// Edits of a lesson file's bytes that keep every byte outside the edited lines, including the
/// file's line ends (`\n` or `\r\n`).
enum LessonText {
    /// Replaces the body of the fenced block whose opening fence is on `fence` (1-based), the
    /// lines the parser read as `old`, with `new` (lines ending in `\n`), each line ended like
    /// the fence line.
    ///
    /// - Returns: the edited bytes, or nil when those lines of the file, read as the parser reads
    ///   them, are not `old` (the file changed, or the block is not a plain fenced block): then
    ///   nothing may be written.
    static func replacingBlock(in bytes: [UInt8], fence: Int, old: String, new: String) -> [UInt8]? {
        var lineStarts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 10 { lineStarts.append(offset + 1) }
        let count = old.utf8.count(where: { $0 == 10 })
        // The body's lines and the closing fence's line must all be there.
        guard fence >= 1, fence + count < lineStarts.count else { return nil }
        let start = lineStarts[fence], end = lineStarts[fence + count]
        guard let body = String(validating: bytes[start..<end], as: UTF8.self),
              body.replacing("\r\n", with: "\n") == old else { return nil }
        let ending: [UInt8] = start >= 2 && bytes[start - 2] == 13 ? [13, 10] : [10]
        var replacement: [UInt8] = []
        for line in new.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            replacement += Array(line.utf8) + ending
        }
        return Array(bytes[..<start]) + replacement + Array(bytes[end...])
    }
}
