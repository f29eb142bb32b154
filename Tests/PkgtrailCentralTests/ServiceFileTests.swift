import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCentral

final class ServiceFileTests: XCTestCase {
    let text = """
        # the fleet
        [fleet]
        host = db.example
        port=6543
        dbname=fleet
        user=laptop1
        sslmode=verify-full

        [other]
        host=elsewhere
        """

    func testSectionsAndSettings() throws {
        let s = try ServiceFile.parse(text, path: "svc")
        XCTAssertEqual(s["fleet"]?["host"], "db.example")
        XCTAssertEqual(s["fleet"]?["port"], "6543")
        XCTAssertEqual(s["other"], ["host": "elsewhere"])
    }

    func testTheURLComesFirstThenTheServiceThenTheVariables() throws {
        let services = try ServiceFile.parse(text, path: "svc")
        let lookup: (String) throws -> [String: String] = { name in
            guard let found = services[name] else { throw PkgtrailError(.invalidInput, "no \(name)") }
            return found
        }
        let variables = ["PGHOST": "env-host", "PGUSER": "env-user", "PGDATABASE": "env-db", "PGSERVICE": "fleet"]
        let a = try CentralAddress("postgresql://", variables: variables, service: lookup)
        XCTAssertEqual(a.description, "postgresql://laptop1@db.example:6543/fleet?sslmode=verify-full")
        let b = try CentralAddress(
            "postgresql://me@h2/d2?service=other&sslmode=disable", variables: [:], service: lookup)
        XCTAssertEqual(b.description, "postgresql://me@h2:5432/d2?sslmode=disable")
        XCTAssertThrowsError(try CentralAddress("postgresql:///?service=missing", variables: [:], service: lookup))
    }

    func testUnknownSettingsAndStrayLinesAreNamed() {
        for (text, words) in [
            ("[a]\nhost=x\nkeepalives=1", "line 3: `keepalives` is a setting pkgtrail does not read"),
            ("host=x", "line 1: expected `[service]`")
        ] {
            XCTAssertThrowsError(try ServiceFile.parse(text, path: "/etc/pg_service.conf")) { e in
                XCTAssertTrue("\(e)".contains("/etc/pg_service.conf, " + words), "\(e)")
            }
        }
    }

    func testAPasswordInAFileOthersCanReadIsRefused() throws {
        let dir = NSTemporaryDirectory() + "svc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/pg_service.conf"
        try "[fleet]\nhost=h\npassword=hunter2\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try ServiceFile.settings(for: "fleet", variables: ["PGSERVICEFILE": path], home: dir)) {
            XCTAssertTrue("\($0)".contains("chmod 600"), "\($0)")
            XCTAssertFalse("\($0)".contains("hunter2"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let found = try ServiceFile.settings(for: "fleet", variables: ["PGSERVICEFILE": path], home: dir)
        XCTAssertEqual(found["password"], "hunter2")
        let a = try CentralAddress("postgresql://u@/d?service=fleet", variables: [:]) { _ in found }
        XCTAssertEqual(a.servicePassword, "hunter2")
        XCTAssertFalse(a.description.contains("hunter2"))
    }
}
