// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: pkgtrail (CLI) -> PkgtrailCapture -> PkgtrailStore -> PkgtrailSystem
// -> PkgtrailCore (the CLI imports all four). PkgtrailCore is pure: events, canonical JSON, the chain, versions,
// redaction; no I/O, no GRDB.
//
// Linux only: the recorder reads /proc, calls Glibc and posix_spawn directly (README, "Two commands").
/// The four libraries, for the helper executables that link them all.
let libraries: [Target.Dependency] = ["PkgtrailCore", "PkgtrailSystem", "PkgtrailStore", "PkgtrailCapture"]

let package = Package(
    name: "pkgtrail",
    products: [
        .executable(name: "pkgtrail", targets: ["pkgtrail"]),
        .executable(name: "pkgtrail-central", targets: ["pkgtrail-central"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20")
    ],
    targets: [
        .target(
            name: "PkgtrailCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The system layer: file I/O (one correct write, read and lock), the
        // allowlisted environment, the console, the clock. Below Store and Capture.
        .target(
            name: "PkgtrailSystem",
            dependencies: ["PkgtrailCore"]
        ),
        .target(
            name: "PkgtrailStore",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift")
            ]
        ),
        .target(
            name: "PkgtrailCapture",
            dependencies: ["PkgtrailCore", "PkgtrailSystem", "PkgtrailStore", "PkgtrailAdvisories"]
        ),
        // What both command-line programs share: stdout that fails loudly, the
        // one error-to-exit-status map.
        .target(
            name: "PkgtrailCommandLine",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // Known advisories (OSV) in their own SQLite file, and reading OSV's zip.
        .target(
            name: "PkgtrailAdvisories",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", .product(name: "GRDB", package: "GRDB.swift"),
                // The C API itself, for the one read every recorded command makes (GRDB's open costs ~0.8 ms).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation")
            ]
        ),
        // The incident questions' commands (who, exposure, state, diff, log,
        // export): the same code answers from the local log in `pkgtrail` and
        // from the central store in `pkgtrail-central`.
        .target(
            name: "PkgtrailQueryCommands",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", "PkgtrailStore", "PkgtrailCapture", "PkgtrailCommandLine",
                "PkgtrailAdvisories",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        .executableTarget(
            name: "pkgtrail",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", "PkgtrailStore", "PkgtrailCapture", "PkgtrailCommandLine",
                "PkgtrailQueryCommands", "PkgtrailAdvisories",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // The fleet's central store on PostgreSQL. Only `pkgtrail-central` links it
        // (and with it SwiftNIO): the recorder the shims run never loads it.
        .target(
            name: "PkgtrailCentral",
            dependencies: ["PkgtrailCore", "PkgtrailSystem", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        // `pkgtrail central …`, `pkgtrail push` and `--central` queries: the
        // main binary hands those command lines to this one, installed beside it.
        .executableTarget(
            name: "pkgtrail-central",
            dependencies: [
                "PkgtrailCore", "PkgtrailSystem", "PkgtrailStore", "PkgtrailCapture", "PkgtrailCentral",
                "PkgtrailCommandLine", "PkgtrailQueryCommands",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        // The benchmark's synthetic-log writer (make bench); not installed.
        .executableTarget(name: "pkgtrail-synth", dependencies: libraries),
        // The parsers of hostile bytes under libFuzzer (make fuzz), or replaying the kept corpus (make test).
        .executableTarget(name: "pkgtrail-fuzz", dependencies: libraries),
        .testTarget(name: "PkgtrailCoreTests", dependencies: ["PkgtrailCore"], exclude: ["Fixtures"]),
        .testTarget(name: "PkgtrailSystemTests", dependencies: ["PkgtrailSystem"]),
        .testTarget(name: "PkgtrailStoreTests", dependencies: ["PkgtrailStore"]),
        .testTarget(
            name: "PkgtrailCaptureTests", dependencies: ["PkgtrailCapture", "PkgtrailAdvisories"], exclude: ["Fixtures"]
        ),
        .testTarget(name: "PkgtrailCentralTests", dependencies: ["PkgtrailCentral"]),
        .testTarget(name: "PkgtrailAdvisoriesTests", dependencies: ["PkgtrailAdvisories"]),
        .testTarget(name: "PkgtrailQueryCommandsTests", dependencies: ["PkgtrailQueryCommands"])
    ]
)
