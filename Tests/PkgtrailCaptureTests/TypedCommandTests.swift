import XCTest

@testable import PkgtrailCapture

final class TypedCommandTests: XCTestCase {
    func testToolNamesAndInterpreterModules() {
        XCTAssertEqual(
            TypedCommand(name: "pip3.11", arguments: ["install", "x"]),
            TypedCommand(tool: .pip, toolArguments: ["install", "x"], viaInterpreter: false))
        XCTAssertEqual(
            TypedCommand(name: "python3", arguments: ["-m", "pip", "install", "x"]),
            TypedCommand(tool: .pip, toolArguments: ["install", "x"], viaInterpreter: true))
        XCTAssertEqual(
            TypedCommand(name: "python3.12", arguments: ["-mpip3", "list"]),
            TypedCommand(tool: .pip, toolArguments: ["list"], viaInterpreter: true))
        XCTAssertEqual(
            TypedCommand(name: "python", arguments: ["-m", "uv", "pip", "install", "x"]),
            TypedCommand(tool: .uv, toolArguments: ["pip", "install", "x"], viaInterpreter: true))
        // Everything else an interpreter is asked is not a tool call.
        for args in [["-c", "pass"], ["-m", "venv", "v"], ["-I", "-m", "pip"], ["-m"], [], ["script.py", "-m", "pip"]] {
            XCTAssertNil(TypedCommand(name: "python", arguments: args), "\(args)")
        }
        for name in ["pip3.x", "pip3.", "python3.11-config", "pipx", "python2"] {
            XCTAssertNil(TypedCommand(name: name, arguments: ["-m", "pip", "install"]), name)
        }
    }

    func testMinorVersionsComeOnlyFromVersionedNames() {
        XCTAssertEqual(TypedCommand.minorVersion("python3.13"), "3.13")
        XCTAssertEqual(TypedCommand.minorVersion("pip3.9"), "3.9")
        XCTAssertNil(TypedCommand.minorVersion("python3.11-config"))
        XCTAssertNil(TypedCommand.minorVersion("python3"))
    }
}
