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

final class CoverageTests: XCTestCase {
    let isShim: (String) -> Bool = { $0.hasPrefix("/SHIM/") }

    /// A PATH where `venv/bin` holds every tool and the shims dir holds pip and uv.
    func lookup(venvFirst: Bool, uv: Bool = true) -> Coverage.Lookup {
        { name, skippingShims in
            let venv = ["pip", "pip3", "python", "python3"].contains(name) ? "/v/bin/\(name)" : nil
            let real = venv ?? (uv && ["uv", "uvx"].contains(name) ? "/usr/bin/\(name)" : nil)
            let shim = ["pip", "pip3", "uv", "uvx"].contains(name) ? "/SHIM/\(name)" : nil
            if skippingShims || venvFirst { return real ?? (skippingShims ? nil : shim) }
            return shim ?? real
        }
    }

    func testFunctionsCoverEverythingThatExists() {
        let view = Coverage.ShellView(
            text: "shell zsh\npip pkgtrail-function\npip3 pkgtrail-function\nuv pkgtrail-function\n"
                + "uvx pkgtrail-function\npython pkgtrail-function\npython3 pkgtrail-function\n")!
        let rows = Coverage.check(
            names: Coverage.names(view: view, pathVersions: []), view: view, lookup: lookup(venvFirst: true, uv: false))
        XCTAssertEqual(rows.map(\.command), ["pip", "pip3", "uv", "uvx", "python -m pip", "python3 -m pip"])
        XCTAssertEqual(rows.map(\.status), [.recorded, .recorded, .absent, .absent, .recorded, .recorded])
        XCTAssertEqual(rows[4].runs, "/v/bin/python")
    }

    func testWithoutFunctionsAVenvAheadOfTheShimsBypasses() {
        let rows = Coverage.check(
            names: ["pip", "uv", "python"], view: nil, isShim: isShim, lookup: lookup(venvFirst: true))
        XCTAssertEqual(rows.map(\.status), [.bypasses, .bypasses, .bypasses])
        XCTAssertTrue(rows[0].reason!.contains("/v/bin/pip comes before the pkgtrail shims"))
        // Shims first: pip and uv are covered by them; `python -m pip` never is.
        let shimsFirst = Coverage.check(
            names: ["pip", "uv", "python"], view: nil, isShim: isShim,
            lookup: lookup(venvFirst: false))
        XCTAssertEqual(shimsFirst.map(\.status), [.recorded, .recorded, .bypasses])
        XCTAssertEqual(shimsFirst.map(\.via), ["shim", "shim", "PATH"])
        XCTAssertEqual(shimsFirst[0].runs, "/v/bin/pip")
    }

    func testAliasesOtherFunctionsAndNewVersionsAreGaps() {
        let view = Coverage.ShellView(text: "shell bash\npip alias\npip3 function\npython pkgtrail-function\n")!
        let names = Coverage.names(view: view, pathVersions: ["3.13"])
        XCTAssertTrue(names.contains("pip3.13") && names.contains("python3.13"))
        let rows = Coverage.check(names: ["pip", "pip3", "python", "python3.13"], view: view) { name, _ in
            "/usr/bin/\(name)"
        }
        XCTAssertEqual(rows.map(\.status), [.bypasses, .bypasses, .recorded, .bypasses])
        XCTAssertTrue(rows[0].reason!.contains("unalias pip"))
        XCTAssertTrue(rows[3].reason!.contains("new since this shell loaded"))
    }

    func testShellViewNeedsItsShellLine() {
        XCTAssertNil(Coverage.ShellView(text: "pip function\n"))
        XCTAssertEqual(
            Coverage.ShellView(text: "shell fish\npip pkgtrail-function\nbroken\n")?.kinds, ["pip": "pkgtrail-function"]
        )
    }
}

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
