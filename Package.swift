// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: pkgtrail (CLI) -> PkgtrailCapture -> PkgtrailStore -> PkgtrailCore
// (the CLI imports all three). PkgtrailCore is pure: events, canonical JSON, the chain, versions,
// redaction; no I/O, no GRDB.
//
// Linux only: the recorder reads /proc, calls Glibc and posix_spawn directly (README, "Two commands").
let package = Package(
    name: "pkgtrail",
    products: [
        .executable(name: "pkgtrail", targets: ["pkgtrail"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .target(
            name: "PkgtrailCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "PkgtrailStore",
            dependencies: ["PkgtrailCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "PkgtrailCapture",
            dependencies: ["PkgtrailCore", "PkgtrailStore"]
        ),
        .executableTarget(
            name: "pkgtrail",
            dependencies: [
                "PkgtrailCore", "PkgtrailStore", "PkgtrailCapture",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // The benchmark's synthetic-log writer (make bench); not installed.
        .executableTarget(name: "pkgtrail-synth", dependencies: ["PkgtrailCore", "PkgtrailStore", "PkgtrailCapture"]),
        // The parsers of hostile bytes under libFuzzer (make fuzz), or replaying the kept corpus (make test).
        .executableTarget(name: "pkgtrail-fuzz", dependencies: ["PkgtrailCore", "PkgtrailStore", "PkgtrailCapture"]),
        .testTarget(name: "PkgtrailCoreTests", dependencies: ["PkgtrailCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PkgtrailStoreTests", dependencies: ["PkgtrailStore"]),
        .testTarget(name: "PkgtrailCaptureTests", dependencies: ["PkgtrailCapture"], exclude: ["Fixtures"])
    ]
)
