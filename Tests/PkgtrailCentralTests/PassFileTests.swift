import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCentral

final class PassFileTests: XCTestCase {
    func testTheFirstMatchingLineWinsWithWildcardsAndEscapes() throws {
        let file = PassFile(
            text: """
                # comment
                db.example:5432:fleet:host1:first\\:pass
                *:*:*:host1:second
                db.example:*:*:*:any\\\\one
                short:line
                """)
        let a = try CentralAddress("postgresql://host1@db.example/fleet", variables: [:])
        XCTAssertEqual(file.password(for: a), "first:pass")
        XCTAssertEqual(file.password(for: try CentralAddress("postgresql://host1@other/x", variables: [:])), "second")
        XCTAssertEqual(
            file.password(for: try CentralAddress("postgresql://r@db.example/x", variables: [:])), "any\\one")
        XCTAssertNil(file.password(for: try CentralAddress("postgresql://r@other/x", variables: [:])))
    }

    func testAFileOthersCanReadIsNotUsed() throws {
        let path = NSTemporaryDirectory() + "pgpass-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "*:*:*:*:pw\n".write(toFile: path, atomically: false, encoding: .utf8)
        let a = try CentralAddress("postgresql://u@h/d?passfile=\(path)", variables: [:])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try PassFile.load(for: a, home: "/nonexistent")) {
            XCTAssertTrue("\($0)".contains("chmod 600"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        XCTAssertEqual(try PassFile.load(for: a, home: "/nonexistent")?.password(for: a), "pw")
        XCTAssertNil(
            try PassFile.load(for: try CentralAddress("postgresql://u@h/d", variables: [:]), home: "/nonexistent"))
    }
}
