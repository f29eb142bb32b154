import XCTest

@testable import PkgtrailSystem

final class ParallelMapTests: XCTestCase {
    /// Results come back in the items' order, in chunks of the size asked,
    /// however the threads finish.
    func testResultsInOrderByChunk() throws {
        let items = Array(0..<10_000)
        var seen: [Int] = []
        var sizes: [Int] = []
        try ParallelMap.run(
            items, chunk: 300,
            { i in
                if i % 997 == 0 { usleep(2_000) }  // some chunks finish late
                return i * 2
            },
            consume: { chunk in
                sizes.append(chunk.count)
                seen += chunk
            })
        XCTAssertEqual(seen, items.map { $0 * 2 })
        XCTAssertEqual(sizes.dropLast().allSatisfy { $0 == 300 }, true)
        XCTAssertEqual(sizes.last, 10_000 % 300)
    }

    func testNothingToDo() throws {
        var calls = 0
        try ParallelMap.run([Int](), { $0 }, consume: { _ in calls += 1 })
        XCTAssertEqual(calls, 0)
    }

    /// A transform that fails stops the work: its error is thrown, and what
    /// was handed over before it is all that was.
    func testFirstFailureThrows() {
        struct Boom: Error {}
        var consumed = 0
        XCTAssertThrowsError(
            try ParallelMap.run(
                Array(0..<50_000), chunk: 100,
                { i in
                    if i == 30_000 { throw Boom() }
                    return i
                },
                consume: { consumed += $0.count })
        ) { XCTAssertTrue($0 is Boom) }
        XCTAssertLessThanOrEqual(consumed, 30_000)
    }

    /// Runs of indices cover the count once, each handed over whole, in order.
    func testRunsOfIndicesInOrder() throws {
        var ranges: [Range<Int>] = []
        try ParallelMap.chunks(
            1_001, chunk: 100,
            { range in
                if range.lowerBound == 300 { usleep(5_000) }  // one run finishes late
                return range
            },
            consume: { ranges.append($0) })
        XCTAssertEqual(ranges, stride(from: 0, to: 1_001, by: 100).map { $0..<min($0 + 100, 1_001) })
    }
}
