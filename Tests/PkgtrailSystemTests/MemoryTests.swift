import XCTest

@testable import PkgtrailSystem

final class MemoryTests: XCTestCase {
    /// glibc refuses a mapping threshold over 32 MiB; a refused one, with the
    /// trim threshold set, left every buffer over 128 KiB mapped afresh and
    /// the audit clearing pages (a tenth of its time).
    func testTheAllocatorTakesTheSettings() {
        #if canImport(Glibc)
            XCTAssertTrue(Memory.keepFreedBuffers())
        #endif
    }
}
