import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

final class PipReportTests: XCTestCase {
    func testReadsArtifactsAndRequirers() throws {
        let json = """
            {"version": "1", "pip_version": "26.3", "install": [
              {"metadata": {"name": "Demo_App", "version": "1.0", "requires_dist": ["demo-lib>=1.0", "extra-thing; \
            extra == 'x'"]},
               "requested": true, "is_direct": false,
               "download_info": {"url": "https://user:pw@idx/files/demo_app-1.0-py3-none-any.whl?sig=abc",
                                 "archive_info": {"hashes": {"sha256": "\(String(repeating: "ab", count: 32))"}}}},
              {"metadata": {"name": "demo.lib", "version": "1.1"}, "requested": false,
               "download_info": {"url": "file:///src", "dir_info": {"editable": true}}}
            ], "environment": {"python_full_version": "3.11.7"}}
            """
        let r = try PipReport(bytes: Array(json.utf8))
        XCTAssertEqual(r.pipVersion, "26.3")
        let app = try XCTUnwrap(r.items["demo-app"])
        XCTAssertEqual(app.sha256, String(repeating: "ab", count: 32))
        XCTAssertEqual(app.url, "https://***@idx/files/demo_app-1.0-py3-none-any.whl?sig=***")
        XCTAssertEqual(app.url?.urlFilename, "demo_app-1.0-py3-none-any.whl")
        XCTAssertEqual(r.items["demo-lib"]?.editable, true)
        XCTAssertNil(r.items["demo-lib"]?.sha256)
        XCTAssertEqual(r.requirers(of: "demo-lib"), ["demo-app"])
    }

    func testMalformedReportsAreErrorsNotCrashes() {
        for bad in ["", "[]", "{\"version\": \"2\"}", "{", "{\"install\": []}"] {
            XCTAssertThrowsError(try PipReport(bytes: Array(bad.utf8)), bad)
        }
        // Well-formed but with unusable entries: read, and the entries skipped.
        let odd = try? PipReport(bytes: Array("{\"version\": \"1\", \"install\": [{\"metadata\": 5}, 7]}".utf8))
        XCTAssertEqual(odd?.items.count, 0)
    }
}
