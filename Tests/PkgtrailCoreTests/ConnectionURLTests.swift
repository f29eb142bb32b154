import XCTest

@testable import PkgtrailCore

final class ConnectionURLTests: XCTestCase {
    func testOnlyAPasswordInTheUserinfoCounts() {
        for url in ["postgresql://u:pw@h/d", "postgres://u:@h:5432/d", "postgresql://u:p@w@h/d"] {
            XCTAssertTrue(ConnectionURL.holdsPassword(url), url)
        }
        for url in [
            "postgresql://u@h:5432/d", "postgresql://h:5432/d?sslmode=verify-full", "postgresql:///?service=fleet",
            "postgresql://u@h/d?x=a:b@c", "postgresql://[::1]:5432/d", "not a url"
        ] {
            XCTAssertFalse(ConnectionURL.holdsPassword(url), url)
        }
    }
}
