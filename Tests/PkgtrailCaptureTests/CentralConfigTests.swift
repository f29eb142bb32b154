import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

final class CentralConfigTests: XCTestCase {
    func testSettingsCommentsAndTheEnvironmentsURL() throws {
        let c = try CentralConfig.parse(
            """
            # where this host pushes
              url = postgresql://laptop1@central.example/fleet?sslmode=verify-full#x

            push=after-install
            """, path: "central.conf")
        XCTAssertEqual(c.url, "postgresql://laptop1@central.example/fleet?sslmode=verify-full#x")
        XCTAssertEqual(c.push, .afterInstall)
        XCTAssertEqual(try CentralConfig.parse("", path: "c").push, .manual)
        XCTAssertNil(try CentralConfig.parse("", path: "c").url)
    }

    func testABadLineIsNamed() {
        for (text, words) in [
            ("url = x\npush = always", "line 2: push = always: use after-install or manual"),
            ("password = hunter2", "line 1: unknown setting `password`"), ("url", "line 1: write `key = value`"),
            ("url =", "line 1: write `key = value`")
        ] {
            XCTAssertThrowsError(try CentralConfig.parse(text, path: "/c.conf")) { e in
                XCTAssertTrue("\(e)".contains("/c.conf, " + words), "\(e)")
                XCTAssertFalse("\(e)".contains("hunter2"))
            }
        }
    }

    func testTheVariableOverridesTheFile() throws {
        let dir = NSTemporaryDirectory() + "central-conf-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/pkgtrail", withIntermediateDirectories: true)
        try "url = postgresql://a@file/x\npush = after-install\n".write(
            toFile: dir + "/pkgtrail/central.conf", atomically: false, encoding: .utf8)
        let env = ProcessEnvironment(values: ["XDG_CONFIG_HOME": dir, "PKGTRAIL_CENTRAL": "postgresql://b@env/y"])
        let c = try CentralConfig.load(env)
        XCTAssertEqual(c.url, "postgresql://b@env/y")
        XCTAssertEqual(c.push, .afterInstall)
        XCTAssertEqual(c.path, dir + "/pkgtrail/central.conf")
    }
}
