import XCTest

@testable import PkgtrailCore

final class StartupHookScannerTests: XCTestCase {
    func testStartupHookImportLines() {
        XCTAssertTrue(StartupHookScanner.hasExecutableImport(Array("/some/path\nimport os; os.system('x')\n".utf8)))
        XCTAssertTrue(StartupHookScanner.hasExecutableImport(Array("import\tsys\r\n".utf8)))
        XCTAssertFalse(StartupHookScanner.hasExecutableImport(Array("/opt/lib\n# import os\nimportant/path\n".utf8)))
    }
}
