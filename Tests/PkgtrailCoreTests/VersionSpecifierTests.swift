import Foundation
import XCTest

@testable import PkgtrailCore

final class VersionSpecifierTests: XCTestCase {
    /// 2,900 (specifier, version) pairs decided by `packaging.specifiers`, the
    /// reference implementation (scripts/gen_specifier_vectors.py).
    func testAgreesWithPackagingOnEveryVector() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/specifiers.tsv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertGreaterThan(lines.count, 2000)
        var wrong: [String] = []
        for line in lines {
            let f = line.split(separator: "\t").map(String.init)
            guard let spec = try? VersionSpecifier(f[0]) else {
                if f[2] != "x" { wrong.append("\(f[0]) refused") }
                continue
            }
            if f[2] == "x" || spec.contains(f[1]) != (f[2] == "1") { wrong.append("\(f[0]) \(f[1]) expected \(f[2])") }
        }
        XCTAssertEqual(wrong, [])
    }

    /// The examples PEP 440 gives in "Version specifiers".
    func testPEP440Examples() throws {
        func check(_ spec: String, _ yes: [String], _ no: [String], file: StaticString = #filePath, line: UInt = #line)
            throws
        {
            let s = try SpecifierSet(spec)
            for v in yes { XCTAssertTrue(s.contains(v), "\(spec) should match \(v)", file: file, line: line) }
            for v in no { XCTAssertFalse(s.contains(v), "\(spec) should not match \(v)", file: file, line: line) }
        }
        try check("~=2.2", ["2.2", "2.3", "2.99"], ["3.0", "2.1"])  // >= 2.2, == 2.*
        try check("~=1.4.5", ["1.4.5", "1.4.9"], ["1.5", "1.4.4"])  // >= 1.4.5, == 1.4.*
        try check("~=2.2.post3", ["2.2.post3", "2.9"], ["3.0", "2.2.post2"])
        try check("~=1.4.5a4", ["1.4.5a4", "1.4.5", "1.4.9"], ["1.5", "1.4.5a3"])
        try check("~=2.2.0", ["2.2.0", "2.2.7"], ["2.3"])
        try check("==1.1.post1", ["1.1.post1"], ["1.1", "1.1.*"])
        try check("==1.1.*", ["1.1.post1", "1.1", "1.1.0", "1.1a1", "1.1.5"], ["1.2", "1.10"])
        try check("==1.1", ["1.1", "1.1.0", "1.1+local"], ["1.1.post1", "1.1.1"])
        try check("!=1.1.*", ["1.2"], ["1.1.post1", "1.1"])
        try check(">1.7", ["1.7.1", "1.8"], ["1.7.0.post1", "1.7+abc", "1.7"])
        try check(">1.7.post2", ["1.7.1", "1.7.0.post3"], ["1.7.0"])
        try check("<1.7", ["1.6.9"], ["1.7.0rc1", "1.7"])
        try check("==2.0+abc", ["2.0+abc"], ["2.0", "2.0+def"])
        try check("==1!1.*", ["1!1.0", "1!1.9"], ["1.0", "1!2.0"])
        try check(">=1.82.7,<1.82.9", ["1.82.7", "1.82.8"], ["1.82.6", "1.82.9", "1.82.9rc1"])
        try check("===foobar", ["foobar", "FOOBAR"], ["foobar1"])
        try check("", ["1.0", "0", "not a version"], [])
    }

    func testRejectsWhatThePEPForbids() {
        for bad in [
            "~=1", "~=1.0+local", ">=1.0+local", "<=1.*", "==1.0a1.*", "==", "1.0", "=>1.0", "==1.0 junk",
            ">=1.0,,<2"
        ] {
            XCTAssertThrowsError(try SpecifierSet(bad), bad)
        }
    }

    func testPackageQueries() throws {
        let q = try PackageQuery("LiteLLM>=1.82.7, <1.82.9")
        XCTAssertEqual(q.name, "litellm")
        XCTAssertTrue(q.matches("1.82.8"))
        XCTAssertFalse(q.matches("1.82.9"))
        XCTAssertFalse(q.matches(nil))
        XCTAssertEqual(try PackageQuery("zope.interface").name, "zope-interface")
        XCTAssertTrue(try PackageQuery("pkg").matches("0.0.1"))
        XCTAssertEqual(try PackageQuery(" a_b == 1.0 ").description, "a-b==1.0")
        XCTAssertThrowsError(try PackageQuery("==1.0"))
        XCTAssertThrowsError(try PackageQuery("pkg>>1"))
    }
}
