import XCTest

@testable import PkgtrailCore

final class SiteEntryTests: XCTestCase {
    func testOnlyMetadataDirectoriesAndStartupFilesMatter() {
        XCTAssertEqual(SiteEntry(name: "demo_lib-1.0.dist-info"), .distribution)
        XCTAssertEqual(SiteEntry(name: "old-0.1-py3.11.egg-info"), .distribution)
        XCTAssertEqual(SiteEntry(name: "litellm_init.pth"), .startupFile)
        XCTAssertEqual(SiteEntry(name: "~hook.pth"), .startupFile)  // site.py runs it all the same
        for other in ["demo_lib", "__pycache__", "six.py", "~emo_lib-1.0.dist-info", "~emo_lib", "x.pth.swp"] {
            XCTAssertEqual(SiteEntry(name: other), .other, other)
            XCTAssertFalse(SiteEntry(name: other).matters, other)
        }
        XCTAssertTrue(SiteEntry(name: "a.pth").matters)
    }
}
