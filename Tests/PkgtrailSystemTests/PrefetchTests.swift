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
}
