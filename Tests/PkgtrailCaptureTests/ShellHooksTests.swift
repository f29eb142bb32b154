import XCTest

@testable import PkgtrailCapture

final class ShellHooksTests: XCTestCase {
    let hooks = ShellHooks(binary: "/h/.local/bin/pkgtrail", shims: "/h/it's shims", minorVersions: ["3.11", "3.12"])

    func testNamesAndQuoting() {
        XCTAssertEqual(hooks.toolNames, ["pip", "pip3", "pip3.11", "pip3.12", "uv", "uvx"])
        XCTAssertEqual(hooks.interpreterNames, ["python", "python3", "python3.11", "python3.12"])
        let bash = hooks.script(.bash)
        XCTAssertTrue(bash.contains("export PATH='/h/it'\\''s shims'\"${PATH:+:$PATH}\""))
        XCTAssertTrue(bash.contains("function pip3.12 { __pkgtrail_tool pip3.12 'install uninstall' \"$@\"; }"))
        XCTAssertTrue(bash.contains("function uvx { __pkgtrail_tool uvx '' \"$@\"; }"))
        XCTAssertTrue(
            bash.contains("export -f __pkgtrail_tool __pkgtrail_direct __pkgtrail_py __pkgtrail_view pkgtrail pip "))
        XCTAssertFalse(hooks.script(.zsh).contains("export -f"))
        XCTAssertTrue(hooks.script(.zsh, bashEnvFile: "/s/init.bash").contains("export BASH_ENV='/s/init.bash'"))
        XCTAssertTrue(hooks.script(.fish).contains("'/h/it\\'s shims'"))
    }

    /// Every script parses in the shell it is for.
    func testScriptsParse() throws {
        for (shell, text) in [
            ("bash", hooks.script(.bash)), ("zsh", hooks.script(.zsh, bashEnvFile: "/x")),
            ("fish", hooks.script(.fish, bashEnvFile: "/x")), ("sh", hooks.pathLine)
        ] {
            guard let exe = ["/bin/\(shell)", "/usr/bin/\(shell)"].first(where: FileManager.default.isExecutableFile)
            else {
                continue  // zsh and fish come with `make shells`; the e2e tests require them
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["-n"]
            let input = Pipe()
            p.standardInput = input
            try p.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "\(shell) -n rejected:\n\(text)")
        }
    }
}
