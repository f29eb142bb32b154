import XCTest

@testable import PkgtrailCore

final class KeyedPairsTests: XCTestCase {
    func testEveryKeyOnceInOrderWithBothSides() {
        let pairs = keyedPairs(["b": 1, "a": 2, "d": 4], ["c": "x", "a": "y", "d": "z"])
        XCTAssertEqual(pairs.map(\.key), ["a", "b", "c", "d"])
        XCTAssertEqual(pairs.map(\.before), [2, 1, nil, 4])
        XCTAssertEqual(pairs.map(\.after), ["y", nil, "x", "z"])
        XCTAssertTrue(keyedPairs([String: Int](), [String: Int]()).isEmpty)
    }
}
