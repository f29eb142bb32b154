import XCTest

@testable import PkgtrailCore

final class DebouncerTests: XCTestCase {
    func testWaitsForQuietButNotPastItsPatience() {
        var d = Debouncer<String>(settle: 1, patience: 3)
        XCTAssertNil(d.nextDeadline)  // nothing waits: sleep until the next change
        d.touch("a", at: 10)
        XCTAssertEqual(d.nextDeadline, 11)
        d.touch("a", at: 10.8)
        XCTAssertEqual(d.nextDeadline, 11.8)
        XCTAssertEqual(d.takeDue(at: 11.5), [])
        // A writer that never pauses is still looked at after `patience`.
        for t in stride(from: 11.0, through: 14, by: 0.5) { d.touch("a", at: t) }
        XCTAssertEqual(d.deadline(of: "a"), 13)
        XCTAssertEqual(d.takeDue(at: 13), ["a"])
        XCTAssertNil(d.deadline(of: "a"))
        XCTAssertNil(d.nextDeadline)
    }

    func testKeysAreIndependentAndRetryPostpones() {
        var d = Debouncer<String>(settle: 1, patience: 3)
        d.touch("a", at: 0)
        d.touch("b", at: 0.5)
        XCTAssertEqual(d.takeDue(at: 1.2), ["a"])
        XCTAssertEqual(d.nextDeadline, 1.5)
        d.retry("b", at: 5)
        XCTAssertEqual(d.deadline(of: "b"), 5)
        XCTAssertEqual(d.takeDue(at: 4.9), [])
        XCTAssertEqual(d.takeDue(at: 5), ["b"])
        XCTAssertNil(d.nextDeadline)
    }

    func testPatienceIsNeverShorterThanSettle() {
        var d = Debouncer<Int>(settle: 2, patience: 1)
        d.touch(1, at: 0)
        XCTAssertEqual(d.nextDeadline, 2)
    }
}
