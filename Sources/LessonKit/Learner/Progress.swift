import Foundation

/// What one learner has done: the lessons read and the last check of each program, kept in
/// `<home>/progress.json`, outside the repository (the authors' `results.json` is another
/// store).
///
/// A check remembers a fingerprint of the program and its expected output; when the lesson's
/// sample no longer has that fingerprint, the check is stale (and fresh again if the sample is
/// changed back).
public struct Progress: Sendable, Codable, Equatable {
    /// One remembered check.
    public struct Check: Sendable, Codable, Equatable {
        /// Whether it passed.
        public var passed: Bool
        /// When, as seconds since 1970.
        public var date: Double
        /// ``Progress/fingerprint(program:expected:)`` of what ran.
        public var fingerprint: String
    }

    /// When each lesson (by name, `02-pool`) was last shown.
    public var read: [String: Double] = [:]
    /// The last check of each lesson program, by run title (`pool-map`, `pool-map (Python)`).
    public var checks: [String: Check] = [:]
    /// The last check of each of the learner's copies (`learn-mp play`), by run title.
    public var played: [String: Check] = [:]
    /// How many hints of each exercise (by slug) the learner has seen.
    public var hintsShown: [String: Int] = [:]

    /// An empty record.
    public init() {}

    /// Reads a record; a field it lacks (a file from an older learn-mp) starts empty, so the
    /// rest of a learner's progress is kept.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        read = try container.decodeIfPresent([String: Double].self, forKey: .read) ?? [:]
        checks = try container.decodeIfPresent([String: Check].self, forKey: .checks) ?? [:]
        played = try container.decodeIfPresent([String: Check].self, forKey: .played) ?? [:]
        hintsShown = try container.decodeIfPresent([String: Int].self, forKey: .hintsShown) ?? [:]
    }

    /// Reads `path` (empty when missing or unreadable).
    public static func load(_ path: String) -> Progress {
        (try? FileSystem.readText(path)).flatMap { ResultCoding.decode(Progress.self, $0) } ?? Progress()
    }

    /// Writes the record to `path`.
    public func save(_ path: String) throws {
        if let slash = path.lastIndex(of: "/") { try FileSystem.makeDirectories(String(path[..<slash])) }
        try FileSystem.writeText(try ResultCoding.encode(self), to: path)
    }

    /// Remembers that `lesson` was shown now.
    public mutating func markRead(_ lesson: Lesson) { read[lesson.name] = Date().timeIntervalSince1970 }

    /// Remembers `results`; `programs` gives the text that ran for each.
    public mutating func record(_ results: [RunResult], played: Bool, program: (RunJob) -> String) {
        let now = Date().timeIntervalSince1970
        for result in results {
            let check = Check(passed: result.passed, date: now, fingerprint: Self.fingerprint(program: program(result.job), expected: result.job.expected))
            if played { self.played[result.job.title] = check } else { checks[result.job.title] = check }
        }
    }

    // MARK: - Reading it back

    /// What is known of one program of a sample.
    public enum Status: Sendable, Equatable {
        /// Never checked.
        case notRun
        /// Checked, and the sample is still what was checked.
        case checked(passed: Bool)
        /// Checked, but the sample changed since.
        case stale(passed: Bool)
    }

    /// The status of `sample`'s program for `runtime`.
    public func status(of sample: Sample, _ runtime: Runtime) -> Status {
        guard let demo = sample.demo, let program = Playground.original(sample, runtime), let output = sample.output else { return .notRun }
        let title = runtime == .swift ? demo : "\(demo) (\(runtime.label))"
        guard let check = checks[title] else { return .notRun }
        return check.fingerprint == Self.fingerprint(program: program, expected: output.text)
            ? .checked(passed: check.passed) : .stale(passed: check.passed)
    }

    /// Whether every demo of `lesson` has a Swift check that passed and is not stale.
    public func isPassed(_ lesson: Lesson) -> Bool {
        lesson.demos.allSatisfy { status(of: $0, .swift) == .checked(passed: true) }
    }

    /// The lesson to take next: the first one not read yet, else the first whose demos have
    /// not all passed; nil when everything is done.
    public func next(in lessons: [Lesson]) -> Lesson? {
        lessons.first { read[$0.name] == nil } ?? lessons.first { !isPassed($0) }
    }

    /// A short fingerprint (FNV-1a, 64 bits) of a program and the output it must print.
    public static func fingerprint(program: String, expected: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in program.utf8 + [0] + expected.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
