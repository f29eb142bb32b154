import XCTest

@testable import PkgtrailCapture

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
