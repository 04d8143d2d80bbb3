import ArgumentParser
import LessonKit

/// Shell completion of lesson, demo and exercise names, read from the lessons of the package
/// the command line names (`--root`) or the one the shell is in.
enum Complete {
    /// The lessons of the workspace in `words`, or nil when there is none.
    static func library(_ words: [String]) -> LessonLibrary? {
        let root = words.firstIndex(of: "--root").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        let lessons = words.firstIndex(of: "--lessons").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        return (try? Workspace(root: root, lessons: lessons)).flatMap { try? LessonLibrary(workspace: $0) }
    }

    /// The word being completed. (ArgumentParser's own prefix is cut from the last word on the
    /// line, which is another word when options follow the cursor.)
    static func typed(_ words: [String], _ index: Int, _ prefix: String) -> String {
        words.indices.contains(index) ? words[index] : prefix
    }

    static let lessons = CompletionKind.custom { words, index, prefix in
        (library(words)?.lessonNames ?? []).filter { $0.hasPrefix(typed(words, index, prefix)) }
    }

    static let programs = CompletionKind.custom { words, index, prefix in
        (library(words)?.programNames ?? []).filter { $0.hasPrefix(typed(words, index, prefix)) }
    }

    static let exercises = CompletionKind.custom { words, index, prefix in
        (library(words)?.exerciseNames ?? []).filter { $0.hasPrefix(typed(words, index, prefix)) }
    }
}
