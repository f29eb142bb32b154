import PkgtrailCore
import XCTest

@testable import PkgtrailCentral

final class CentralAddressTests: XCTestCase {
    func testReadsAURLAndFillsTheRestFromLibpqsVariables() throws {
        let a = try CentralAddress(
            "postgresql://fleet%40host@db.example:6432/pk%20trail?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            variables: [:])
        XCTAssertEqual(a.user, "fleet@host")
        XCTAssertEqual(a.host, "db.example")
        XCTAssertEqual(a.port, 6432)
        XCTAssertEqual(a.database, "pk trail")
        XCTAssertEqual(a.tls, .verifyFull)
        XCTAssertEqual(a.rootCertificate, "/etc/ca.pem")
        let b = try CentralAddress(
            "postgres://", variables: ["PGHOST": "h", "PGPORT": "5433", "PGUSER": "u", "PGSSLMODE": "disable"])
        XCTAssertEqual(b.description, "postgresql://u@h:5433/u?sslmode=disable")
        let c = try CentralAddress("postgresql://u@[::1]/d", variables: [:])
        XCTAssertEqual(c.host, "::1")
        XCTAssertEqual(c.port, 5432)
        XCTAssertEqual(c.tls, .prefer)
    }

    /// A password in the URL would sit in shell history and process lists.
    func testRefusesPasswordsAndWhatItCannotHonour() {
        for text in [
            "postgresql://u:secret@h/d", "mysql://u@h/d", "postgresql://u@h:99999/d", "postgresql://u@h/d?sslmode=no",
            "postgresql://u@h/d?host=/tmp", "postgresql:///d"
        ] {
            XCTAssertThrowsError(try CentralAddress(text, variables: ["USER": "u"]), text) { e in
                XCTAssertEqual((e as? PkgtrailError)?.kind, .usage, text)
                XCTAssertFalse("\(e)".contains("secret"), text)
            }
        }
    }
}
