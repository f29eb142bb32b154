import Dispatch
import XCTest

@testable import PkgtrailSystem

final class PrefetchTests: XCTestCase {
    struct Failure: Error {}

    /// The work runs while the caller goes on; its result can be asked for
    /// again (a `defer` that waits after an early return must not hang).
    func testTheResultComesOnceTheWorkIsDoneAndCanBeAskedAgain() throws {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let work = Prefetch { () -> Int in
            started.signal()
            release.wait()
            return 42
        }
        started.wait()
        release.signal()
        XCTAssertEqual(try work.get(), 42)
        XCTAssertEqual(try work.get(), 42)
    }

    func testAFailureIsThrownEachTimeItIsAskedFor() {
        let work = Prefetch { () -> Int in throw Failure() }
        XCTAssertThrowsError(try work.get())
        XCTAssertThrowsError(try work.get())
    }

    /// Each part is used in order with its own input; the next part is
    /// read while one is used; a failure stops it and is thrown.
    func testPartsAreReadAheadAndUsedInOrder() throws {
        let began = (0..<4).map { _ in DispatchSemaphore(value: 0) }
        var used: [(Int, String)] = []
        try Prefetch<String>.eachPart(
            4,
            read: { k in
                began[k].signal()
                return "part \(k)"
            },
            use: { k, input in
                // The next part's read has begun while this one is used.
                if k + 1 < 4 { XCTAssertEqual(began[k + 1].wait(timeout: .now() + 10), .success) }
                used.append((k, input))
            })
        XCTAssertEqual(used.map(\.0), [0, 1, 2, 3])
        XCTAssertEqual(used.map(\.1), ["part 0", "part 1", "part 2", "part 3"])

        var seen: [Int] = []
        XCTAssertThrowsError(
            try Prefetch<Int>.eachPart(
                5,
                read: { k in
                    if k == 2 { throw Failure() }
                    return k
                }, use: { k, _ in seen.append(k) })
        ) { XCTAssertTrue($0 is Failure) }
        XCTAssertEqual(seen, [0, 1])
    }
}
