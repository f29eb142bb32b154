import XCTest

@testable import PkgtrailSystem

final class ClockTests: XCTestCase {
    /// UUIDv7: 8-4-4-4-12 lowercase hex, version 7, variant 10, the first 48
    /// bits the time in milliseconds (so ids sort by creation), the rest random.
    func testUUIDIsVersion7WithTheTimeFirst() throws {
        let before = Clock.nowMilliseconds()
        let ids = (0..<64).map { _ in Clock.uuid() }
        let after = Clock.nowMilliseconds()
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids {
            let parts = id.split(separator: "-").map(String.init)
            XCTAssertEqual(parts.map(\.count), [8, 4, 4, 4, 12], id)
            XCTAssertTrue(id.allSatisfy { "0123456789abcdef-".contains($0) }, id)
            XCTAssertEqual(parts[2].first, "7", id)
            XCTAssertTrue("89ab".contains(parts[3].first!), id)
            let ms = Int64(parts[0] + parts[1], radix: 16)!
            XCTAssertTrue((before...after).contains(ms), id)
        }
    }
}
