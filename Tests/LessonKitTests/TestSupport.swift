import Glibc
@testable import LessonKit

/// The package root of this checkout.
let packageRoot: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}()

let fixtures = packageRoot + "/Tests/LessonKitTests/Fixtures"

/// Copies a directory tree.
func copyTree(_ source: String, to destination: String) throws {
    if FileSystem.isDirectory(source) {
        try FileSystem.makeDirectories(destination)
        for name in FileSystem.list(source) { try copyTree(source + "/" + name, to: destination + "/" + name) }
    } else {
        try FileSystem.writeText(try FileSystem.readText(source), to: destination)
    }
}

/// Writes an executable shell script.
func writeScript(_ text: String, to path: String) throws {
    try FileSystem.writeText("#!/bin/sh\n" + text, to: path)
    chmod(path, 0o755)
}

/// Whether a process whose command line contains `marker` is running.
func processRunning(withMarker marker: String) -> Bool {
    for name in FileSystem.list("/proc") where name.allSatisfy(\.isNumber) {
        guard let bytes = try? FileSystem.readBytes("/proc/\(name)/cmdline") else { continue }
        let commandLine = String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if commandLine.contains(marker) { return true }
    }
    return false
}

/// A scratch copy of Fixtures/workspace with the hang lesson (timeout=30) in `lessons/`, whose
/// demo binary is the shell script `script`; returns its root.
func hangWorkspace(script: String) throws -> String {
    let root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-e2e")
    try copyTree(fixtures + "/workspace", to: root)
    try FileSystem.makeDirectories(root + "/build/debug")
    try writeScript(script, to: root + "/build/debug/demo-hang")
    let lesson = try FileSystem.readText(fixtures + "/lessons/hang/01-hang.md").replacing("timeout=1", with: "timeout=30")
    try FileSystem.makeDirectories(root + "/lessons")
    try FileSystem.writeText(lesson, to: root + "/lessons/01-hang.md")
    return root
}

/// Waits up to `seconds` until no process with `marker` in its command line is running.
func processGone(withMarker marker: String, within seconds: Double = 3) -> Bool {
    let end = monotonicSeconds() + seconds
    while processRunning(withMarker: marker) {
        if monotonicSeconds() > end { return false }
        usleep(20_000)
    }
    return true
}

/// A random number for markers and names.
func randomTag() -> Int { Int.random(in: 100_000...999_999) }
