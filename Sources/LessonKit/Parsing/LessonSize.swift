/// The size limits of a lesson file, checked before the Markdown parser runs.
///
/// cmark-gfm 0.29 slows down more than linearly on long runs of inline markup in one paragraph
/// (a 20,000-line paragraph of `**b** and [l](http://x)` takes half a minute), so a lesson may
/// not hold a paragraph, or be as a whole, far beyond what a readable lesson needs. The real
/// lessons stay under 26 KiB and 750 lines, with paragraphs under 2 KiB.
public enum LessonSize {
    /// The most bytes a lesson file may have.
    public static let maximumBytes = 512 * 1024
    /// The most lines a lesson file may have.
    public static let maximumLines = 10_000
    /// The most bytes of one run of text lines outside code blocks (a paragraph, a list or a
    /// table without blank lines).
    public static let maximumParagraphBytes = 16 * 1024

    /// The first limit `text` breaks, as a problem of `path`; nil when it fits.
    static func check(_ text: String, path: String) -> LessonError? {
        let bytes = text.utf8.count
        if bytes > maximumBytes {
            return .tooLarge(file: path, line: 1, reason: "the lesson has \(kibibytes(bytes)), more than the limit of \(kibibytes(maximumBytes)). Split it into two lessons")
        }
        var lines = 0
        var fence: (character: Character, length: Int)?
        var run = (start: 0, bytes: 0)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += 1
            let trimmed = line.drop { $0 == " " }
            let marker = trimmed.prefix { $0 == "`" || $0 == "~" }
            if line.count - trimmed.count <= 3, marker.count >= 3, marker.allSatisfy({ $0 == marker.first }) {
                if let open = fence {
                    if marker.first == open.character, marker.count >= open.length,
                       trimmed.dropFirst(marker.count).allSatisfy({ $0 == " " || $0 == "\r" }) { fence = nil }
                } else {
                    fence = (marker.first!, marker.count)
                }
                run = (lines + 1, 0)
                continue
            }
            if fence != nil || line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                run = (lines + 1, 0)
                continue
            }
            run.bytes += line.utf8.count + 1
            if run.bytes > maximumParagraphBytes {
                return .tooLarge(file: path, line: run.start, reason: "the text from this line on runs for more than \(kibibytes(maximumParagraphBytes)) without a blank line, the limit for one paragraph. Break it into paragraphs with blank lines")
            }
        }
        if lines > maximumLines {
            return .tooLarge(file: path, line: 1, reason: "the lesson has \(lines) lines, more than the limit of \(maximumLines). Split it into two lessons")
        }
        return nil
    }

    private static func kibibytes(_ bytes: Int) -> String { "\((bytes + 1023) / 1024) KiB" }
}
