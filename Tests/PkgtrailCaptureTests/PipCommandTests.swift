import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

final class PipCommandTests: XCTestCase {
    let env = ProcessEnvironment(values: [:])

    func testSubcommandAfterGlobalOptions() {
        let c = PipCommand(arguments: [
            "-q", "--python", "/v/bin/python", "--cache-dir=/c", "install", "-Ur", "req.txt",
            "-ihttps://h/simple", "--target", "t", "six==1.0", "--", "-weird"
        ])
        XCTAssertEqual(c.subcommand, "install")
        XCTAssertEqual(c.last("--python"), "/v/bin/python")
        XCTAssertEqual(c.last("-r", "--requirement"), "req.txt")
        XCTAssertEqual(c.last("-i", "--index-url"), "https://h/simple")
        XCTAssertEqual(c.last("-t", "--target"), "t")
        XCTAssertTrue(c.has("-U"))
        XCTAssertEqual(c.positionals, ["six==1.0", "-weird"])
    }

    func testWhatChangesAnEnvironment() {
        let mutating = [["install", "x"], ["uninstall", "-y", "x"], ["-v", "install", "-e", "."], ["uninstall", "x"]]
        let passing = [
            ["list"], ["show", "x"], ["--version"], ["install", "--help"], ["install", "--dry-run", "x"],
            ["download", "x"], ["freeze"], [], ["-V"], ["config", "list"]
        ]
        for a in mutating { XCTAssertTrue(PipCommand(arguments: a).changesEnvironment(env: env), "\(a)") }
        for a in passing { XCTAssertFalse(PipCommand(arguments: a).changesEnvironment(env: env), "\(a)") }
        XCTAssertFalse(
            PipCommand(arguments: ["install", "x"]).changesEnvironment(
                env: ProcessEnvironment(values: ["PIP_DRY_RUN": "1"])))
    }
}
