import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

final class UvxCommandTests: XCTestCase {
    func testPackageThatRuns() {
        XCTAssertEqual(UvCommand(uvxArguments: UvCommand(arguments: ["ruff@0.1.0", "check"]))?.runPackage, "ruff")
        XCTAssertEqual(
            UvCommand(uvxArguments: UvCommand(arguments: ["--from", "Demo_App==1.0", "demo-app"]))?.runPackage,
            "demo-app")
        XCTAssertEqual(UvCommand(uvxArguments: UvCommand(arguments: ["tool", "run", "black"]))?.runPackage, "black")
        XCTAssertNil(UvCommand(uvxArguments: UvCommand(arguments: ["--version"])))
        XCTAssertNil(UvCommand(uvxArguments: UvCommand(arguments: [])))
    }

    /// What follows the command is the command's: `uvx ruff --version` runs
    /// ruff (code from the ephemeral environment runs), it is not uvx's own --version.
    func testArgumentsAfterTheCommandBelongToIt() {
        let uvx = { (a: [String]) in UvCommand(uvxArguments: UvCommand(arguments: a, uvx: true)) }
        for a in [
            ["ruff", "--version"], ["ruff", "check", "--help"], ["--with", "x", "ruff", "--", "--version"],
            ["--from", "ruff==0.6.9", "ruff", "-V"], ["ruff", "--from", "other"]
        ] {
            XCTAssertEqual(uvx(a)?.runPackage, "ruff", "\(a)")
        }
        XCTAssertEqual(uvx(["--with", "x", "ruff", "--", "--version"])?.positionals, ["ruff", "--", "--version"])
        XCTAssertEqual(uvx(["ruff", "--from", "other"])?.last("--from"), nil)
        XCTAssertEqual(uvx(["pip", "install", "x"])?.positionals, ["pip", "install", "x"])
        XCTAssertNil(uvx(["--help", "ruff"]))
        XCTAssertNil(uvx(["-V"]))
        // `uv tool run CMD …` and `uv run CMD …` alike.
        let run = UvCommand(arguments: ["tool", "run", "ruff", "--help"])
        XCTAssertEqual(UvCommand(uvxArguments: run)?.runPackage, "ruff")
        for a in [
            ["run", "pytest", "--help"], ["run", "python", "-V"], ["run", "--with", "x", "script.py", "--dry-run"],
            ["run", "tool", "--no-sync"]
        ] {
            XCTAssertTrue(UvCommand(arguments: a).syncsProject, "\(a)")
        }
        XCTAssertFalse(UvCommand(arguments: ["run", "--help"]).syncsProject)
        // uv pip reads options anywhere: `--help` after the package is uv's.
        XCTAssertFalse(UvCommand(arguments: ["pip", "install", "x", "--help"]).changesEnvironment)
        // pip reads options anywhere too, except after `--`.
        XCTAssertTrue(
            PipCommand(arguments: ["install", "-r", "req.txt", "--", "--help"]).changesEnvironment(
                env: ProcessEnvironment(values: [:])))
        XCTAssertFalse(
            PipCommand(arguments: ["install", "x", "--help"]).changesEnvironment(env: ProcessEnvironment(values: [:])))
    }
}
