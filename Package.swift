// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Every folder under Sources/Demos is one demo program, product `demo-<slug>`, bound to the
// `swift demo=<slug>` block of a lesson. Listing the folders here keeps Package.swift free of
// per-demo edits.
let demoDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Sources/Demos")
let demoSlugs = ((try? FileManager.default.contentsOfDirectory(atPath: demoDirectory.path)) ?? [])
    .filter { FileManager.default.fileExists(atPath: "\(demoDirectory.path)/\($0)/main.swift") }
    .sorted()

let demoTargets: [Target] = demoSlugs.map { slug in
    .executableTarget(
        name: "demo-\(slug)",
        dependencies: ["Multiprocessing"],
        path: "Sources/Demos/\(slug)"
    )
}

// libFuzzer harness for the lesson parser and matcher: only with LEARN_MP_FUZZ=1 (`make fuzz`),
// because it has no main of its own (libFuzzer provides it under -sanitize=fuzzer).
let fuzzTargets: [Target] = ProcessInfo.processInfo.environment["LEARN_MP_FUZZ"] == nil ? [] : [
    .executableTarget(name: "lesson-fuzz", dependencies: ["LessonKit"], path: "fuzz/Sources/lesson-fuzz"),
]

let package = Package(
    name: "learn-mp",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Multiprocessing", targets: ["Multiprocessing"]),
        .library(name: "LessonKit", targets: ["LessonKit"]),
        .executable(name: "learn-mp", targets: ["learn-mp"]),
        .executable(name: "mp-bench", targets: ["mp-bench"]),
        .executable(name: "mp-faults", targets: ["mp-faults"]),
    ] + demoSlugs.map { .executable(name: "demo-\($0)", targets: ["demo-\($0)"]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `make docs`: DocC for Multiprocessing and LessonKit (a command plugin; nothing links it).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: Library
        .target(name: "CMultiprocessing"),
        .target(
            name: "Multiprocessing",
            dependencies: ["CMultiprocessing"]
        ),

        // MARK: Lessons and the command
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .target(name: "CLessonKit"),
        .target(
            name: "LessonKit",
            dependencies: [
                "CCmark",
                "CLessonKit",
                "Multiprocessing",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "learn-mp",
            dependencies: [
                "LessonKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mp-bench",
            dependencies: ["Multiprocessing"],
            path: "bench/Sources/mp-bench"
        ),
        .executableTarget(
            name: "mp-faults",
            dependencies: ["Multiprocessing"],
            path: "bench/Sources/mp-faults"
        ),

        // MARK: Tests
        .testTarget(
            name: "MultiprocessingTests",
            dependencies: ["Multiprocessing"]
        ),
        .testTarget(
            name: "LessonKitTests",
            dependencies: [
                "LessonKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures", "Corpus"]
        ),
    ] + demoTargets + fuzzTargets
)
