import XCTest

@testable import PkgtrailSystem

final class ParallelMapTests: XCTestCase {
    /// Runs of indices cover the count once, each handed over whole, in
    /// order, however the threads finish.
    func testRunsOfIndicesInOrder() throws {
        var ranges: [Range<Int>] = []
        var seen: [Int] = []
        try ParallelMap.chunks(
            10_000, chunk: 300,
            { range in
                if range.contains(2_991) || range.contains(7_976) { usleep(5_000) }  // some runs finish late
                return (range, range.map { $0 * 2 })
            },
            consume: { range, doubled in
                ranges.append(range)
                seen += doubled
            })
        XCTAssertEqual(ranges, stride(from: 0, to: 10_000, by: 300).map { $0..<min($0 + 300, 10_000) })
        XCTAssertEqual(seen, (0..<10_000).map { $0 * 2 })
    }

    func testNothingToDo() throws {
        var calls = 0
        try ParallelMap.chunks(0, chunk: 10, { $0 }, consume: { _ in calls += 1 })
        XCTAssertEqual(calls, 0)
    }

    /// A run that fails stops the work: its error is thrown, and what was
    /// handed over before it is all that was.
    func testFirstFailureThrows() {
        struct Boom: Error {}
        var consumed = 0
        XCTAssertThrowsError(
            try ParallelMap.chunks(
                50_000, chunk: 100,
                { range in
                    if range.contains(30_000) { throw Boom() }
                    return range.count
                },
                consume: { consumed += $0 })
        ) { XCTAssertTrue($0 is Boom) }
        XCTAssertLessThanOrEqual(consumed, 30_000)
    }
}
