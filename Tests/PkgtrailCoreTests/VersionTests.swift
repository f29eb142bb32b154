import XCTest

@testable import PkgtrailCore

final class VersionTests: XCTestCase {
    /// The ordering example from PEP 440 ("Summary of permitted suffixes and relative ordering").
    func testPEP440Ordering() {
        let ordered = [
            "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
            "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5",
            "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"
        ]
        let versions = ordered.map { Version($0)! }
        for i in 0..<versions.count - 1 {
            XCTAssertLessThan(versions[i], versions[i + 1], "\(ordered[i]) < \(ordered[i + 1])")
        }
    }

    func testNormalizedEquality() {
        XCTAssertEqual(Version("1.0"), Version("1.0.0"))
        XCTAssertEqual(Version("1.0alpha1"), Version("1.0a1"))
        XCTAssertEqual(Version("1.0-1"), Version("1.0.post1"))
        XCTAssertEqual(Version("v1.82.8"), Version("1.82.8"))
        XCTAssertLessThan(Version("1.82.7")!, Version("1.82.8")!)
        XCTAssertEqual(Version("1!0.1")!.epoch, 1)
        XCTAssertGreaterThan(Version("1!0.1")!, Version("2.0")!)
    }

    func testRejectsNonVersions() {
        for bad in ["", "abc", "1.0+", "1..0", "1.0 junk", "99999999999999999999", "1.0966666666666666666666666"] {
            XCTAssertNil(Version(bad), bad)
        }
    }

    func testMajorMinorIsTheSitePackagesPart() {
        XCTAssertEqual(
            ["3.11.7", "3.12", "3", "3.13.0rc1", "10.1.2.3", ""].map(Version.majorMinor),
            ["3.11", "3.12", "3", "3.13", "10.1", ""])
    }
}
