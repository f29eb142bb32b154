import XCTest

@testable import PkgtrailCore

final class TimestampTests: XCTestCase {
    func testTimestamps() {
        XCTAssertEqual(Timestamp.format(millisecondsSinceEpoch: 0), "1970-01-01T00:00:00.000Z")
        let t = Timestamp.parse("2026-03-24T10:45:00.123Z")!
        XCTAssertEqual(Timestamp.format(millisecondsSinceEpoch: t), "2026-03-24T10:45:00.123Z")
        XCTAssertEqual(Timestamp.parse("2026-03-24T12:45:00+02:00"), Timestamp.parse("2026-03-24T10:45:00Z"))
        XCTAssertEqual(Timestamp.parse("2024-02-29"), Timestamp.parse("2024-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parse("2025-02-29"))
        XCTAssertNil(Timestamp.parse("2026-03-24T10:45Z"))
        XCTAssertEqual(Timestamp.parseArgument("2h", nowMilliseconds: 10_000_000), 10_000_000 - 7_200_000)
        XCTAssertEqual(Timestamp.parseArgument("7d", nowMilliseconds: 1_000_000_000), 1_000_000_000 - 604_800_000)
        XCTAssertNil(Timestamp.parseArgument("7y", nowMilliseconds: 0))
    }
}
