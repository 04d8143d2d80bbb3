import Glibc
import LessonKit

// libFuzzer harness (built only with LEARN_MP_FUZZ=1 and -sanitize=fuzzer; see `make fuzz`).
// The first byte picks the target: even → the lesson parser, odd → the expected-output matcher
// (the rest split at the first NUL into expected block and actual output). A crash, a
// sanitizer report or a run slower than libFuzzer's -timeout is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func lessonFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        let text = String(decoding: bytes, as: UTF8.self)
        let (_, problems) = LessonParser.parse(text, path: "fuzz.md")
        for problem in problems where !problem.description.hasPrefix("fuzz.md:") {
            fatalError("problem without a location: \(problem)")
        }
    } else {
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let expected = String(decoding: bytes[..<split], as: UTF8.self)
        let actual = String(decoding: bytes[min(split + 1, bytes.count)...], as: UTF8.self)
        if let result = try? OutputMatcher.match(expected: expected, actual: actual) {
            if result.matched != result.diff.isEmpty { fatalError("a match with a diff, or a mismatch without one") }
        }
        // Law: text without directive lines or placeholders matches itself.
        if !expected.contains("["), !expected.contains("..."), !expected.contains("---"),
           let result = try? OutputMatcher.match(expected: expected, actual: expected), !result.matched {
            fatalError("literal text does not match itself: \(expected.debugDescription)")
        }
    }
    return 0
}

// SwiftPM gives an executable its own main, so libFuzzer's is not used: start its driver here.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var fuzzArgumentCount = CommandLine.argc
var fuzzArguments = CommandLine.unsafeArgv
exit(runFuzzerDriver(&fuzzArgumentCount, &fuzzArguments) { data, size in lessonFuzzTestOneInput(data, size) })
