import XCTest

@testable import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

final class SignalPipeTests: XCTestCase {
    /// A signal wakes `poll` like a file event, and is read in the loop.
    func testSignalsArriveAsBytes() throws {
        let fd = try SignalPipe.install([SIGUSR1, SIGUSR2])
        _ = SignalPipe.received()
        XCTAssertEqual(Poll.readable([fd], timeout: 0), [])
        raise(SIGUSR2)
        raise(SIGUSR1)
        XCTAssertEqual(Poll.readable([fd], timeout: 5), [fd])
        XCTAssertEqual(SignalPipe.received(), [SIGUSR2, SIGUSR1])
        XCTAssertEqual(SignalPipe.received(), [])
        signal(SIGUSR1, SIG_DFL)
        signal(SIGUSR2, SIG_DFL)
    }
}
