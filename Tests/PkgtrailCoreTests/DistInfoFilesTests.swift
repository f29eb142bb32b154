import Foundation
import XCTest

@testable import PkgtrailCore

final class DistInfoFilesTests: XCTestCase {
    func testQuotedPathsWithCommas() {
        XCTAssertEqual(DistInfoFiles.recordFields("\"a,b/c.py\",sha256=x,12"), ["a,b/c.py", "sha256=x", "12"])
        XCTAssertEqual(DistInfoFiles.recordFields("plain.py,,"), ["plain.py", "", ""])
        XCTAssertEqual(DistInfoFiles.recordFields("\"say \"\"hi\"\".py\",,"), ["say \"hi\".py", "", ""])
        XCTAssertEqual(
            DistInfoFiles.startupFiles(record: Array("\"x,y.pth\",,\na/b.pth,,\nhook.pth,sha256=1,2\n".utf8)),
            ["x,y.pth", "hook.pth"])
    }
}
