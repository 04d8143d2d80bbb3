/// A problem finding the package, a lesson or a demo.
public enum WorkspaceError: Error, Sendable, CustomStringConvertible {
    /// No `Package.swift` above the starting directory.
    case noPackage(start: String)
    /// No lesson of that name or number.
    case unknownLesson(name: String, closest: [String], available: [String])
    /// A part of a title that several lessons' titles contain.
    case ambiguousLesson(name: String, matches: [String])
    /// No demo of that slug.
    case unknownDemo(name: String, closest: [String])
    /// No lesson files at all.
    case noLessons(directory: String)

    public var description: String {
        switch self {
        case .noPackage(let start):
            return "no Package.swift in \(start) or any directory above it. Run learn-mp inside the learn-mp checkout, or pass --root <dir>."
        case .unknownLesson(let name, let closest, let available):
            let suggestion = closest.isEmpty ? "" : " Did you mean: \(closest.joined(separator: ", "))?"
            return "no lesson named '\(name)'.\(suggestion) Lessons: \(available.joined(separator: ", ")). (`learn-mp list` shows them all.)"
        case .ambiguousLesson(let name, let matches):
            return "'\(name)' is in the titles of several lessons: \(matches.joined(separator: ", ")). Name one of them, or more of its title."
        case .unknownDemo(let name, let closest):
            let suggestion = closest.isEmpty ? "" : " Did you mean: \(closest.joined(separator: ", "))?"
            return "no demo named '\(name)'.\(suggestion) (`learn-mp list` shows every lesson's demos.)"
        case .noLessons(let directory):
            return "no lessons (*.md) in \(directory). Pass --lessons <dir> or run inside the learn-mp checkout."
        }
    }
}
