import Glibc
import Testing
@testable import LessonKit

/// `learn-mp play`: a learner's copy, checked and re-checked on save, never touching the lessons.
@Suite(.serialized) struct PlayTests {
    static let learnMP = packageRoot + "/.build/debug/learn-mp"

    /// Every file under the lessons and the demo sources, with its bytes.
    static func courseSnapshot() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        func walk(_ directory: String) throws {
            for name in FileSystem.list(directory) {
                let path = directory + "/" + name
                if FileSystem.isDirectory(path) { try walk(path) } else { files[path] = try FileSystem.readBytes(path) }
            }
        }
        try walk(packageRoot + "/lessons")
        try walk(packageRoot + "/Sources/Demos")
        return files
    }

    /// Runs `learn-mp <arguments>` on this repository with the learner home `home`, its
    /// output going to `log` (through a shell that keeps the pipes ``Spawn`` reads open until
    /// learn-mp ends).
    static func learnMP(_ arguments: [String], home: String, log: String) -> SpawnResult {
        let command = ([learnMP] + arguments + ["--root", packageRoot]).map { "'\($0)'" }.joined(separator: " ")
        let environment = ["PATH": environmentValue("PATH") ?? "/usr/bin:/bin", "HOME": home, "LEARN_MP_HOME": home]
        return Spawn.run(SpawnRequest(executable: "/bin/sh", arguments: ["-c", "\(command) > '\(log)' 2>&1"],
                                      environment: environment, directory: home, timeout: 120))
    }

    /// Waits until `log` has `text` `count` times (up to a minute).
    static func waitFor(_ text: String, count: Int = 1, in log: String) async throws -> Bool {
        for _ in 0..<600 {
            let seen = ((try? FileSystem.readText(log)) ?? "").components(separatedBy: text).count - 1
            if seen >= count { return true }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return false
    }

    @Test func watchSeesEachSaveAndTheLessonsStayAsTheyWere() async throws {
        let before = try Self.courseSnapshot()
        let home = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-play")
        defer { FileSystem.removeTree(home) }
        let log = home + "/log"
        let running = Task.detached { Self.learnMP(["play", "pipe", "--python", "--watch", "--checks", "3"], home: home, log: log) }

        let copy = home + "/play/pipe/main.py"
        #expect(try await Self.waitFor("✓ pipe (Python) matches", in: log), "the first check passes: \((try? FileSystem.readText(log)) ?? "no log")")
        let original = try FileSystem.readText(copy)
        #expect(original.contains("['Hello', 'World', 'Done']"))
        try FileSystem.writeText(original.replacingOccurrences("'World'", "'Word'"), to: copy)
        #expect(try await Self.waitFor("`Received: Word`", in: log), "the save is checked again and fails with a diff")
        let failed = try FileSystem.readText(log)
        #expect(failed.contains("✗ pipe (Python)") && failed.contains("-Sent: World"), "\(failed)")
        try FileSystem.writeText(original, to: copy)
        #expect(try await Self.waitFor("✓ pipe (Python) matches", count: 2, in: log), "fixed again")

        let result = await running.value
        #expect(result.termination == .exited(0), "after three checks, the last one passing: \(result.termination)")
        let text = try FileSystem.readText(log)
        #expect(text.components(separatedBy: "changed: checking again").count - 1 == 2)

        // --reset brings back the lesson's version.
        try FileSystem.writeText("print('mine')\n", to: copy)
        let kept = Self.learnMP(["play", "pipe", "--python"], home: home, log: log)
        #expect(kept.termination == .exited(1), "the edited copy is kept, and fails")
        #expect(try FileSystem.readText(copy) == "print('mine')\n")
        #expect(try FileSystem.readText(log).contains("your edits"))
        let reset = Self.learnMP(["play", "pipe", "--python", "--reset"], home: home, log: log)
        #expect(reset.termination == .exited(0))
        #expect(try FileSystem.readText(copy) == original)

        #expect(try Self.courseSnapshot() == before, "no lesson or demo source changed")
    }

    @Test func theSwiftCopyIsAPackageOnThisRepository() throws {
        let home = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-play")
        defer { FileSystem.removeTree(home) }
        let workspace = try Workspace(root: packageRoot)
        let library = try LessonLibrary(workspace: workspace)
        let (lesson, sample) = try library.sample(demo: "pool-map")
        let playground = Playground(home: LearnerHome(path: home), workspace: workspace)
        let written = try playground.prepare(sample, runtimes: [.swift, .node], reset: false)
        #expect(written == [home + "/play/pool-map/main.swift", home + "/play/pool-map/main.js"])
        #expect(try FileSystem.readText(written[0]) == FileSystem.readText(workspace.demoSource("pool-map")))
        let manifest = try FileSystem.readText(home + "/play/Package.swift")
        #expect(manifest.contains(".package(name: \"learn-mp\", path: \"\(packageRoot)\")"))
        #expect(manifest.contains("name: \"play-\\(slug)\""))
        try FileSystem.writeText("// mine\n", to: written[0])
        #expect(try playground.prepare(sample, runtimes: [.swift], reset: false).isEmpty, "an existing copy is kept")
        #expect(try FileSystem.readText(written[0]) == "// mine\n")
        let job = try #require(playground.job(for: sample, in: lesson, runtime: .swift, library: library))
        #expect(job.executable == home + "/play/.build/debug/play-pool-map")
        #expect(job.expected == sample.output?.text)
    }

    @Test func learnerHomeFollowsTheEnvironment() {
        #expect(LearnerHome(environment: { ["LEARN_MP_HOME": "/a", "XDG_DATA_HOME": "/b", "HOME": "/c"][$0] }).path == "/a")
        #expect(LearnerHome(environment: { ["XDG_DATA_HOME": "/b", "HOME": "/c"][$0] }).path == "/b/learn-mp")
        #expect(LearnerHome(environment: { ["LEARN_MP_HOME": "", "HOME": "/c"][$0] }).path == "/c/.local/share/learn-mp")
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
