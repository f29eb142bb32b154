import XCTest

@testable import PkgtrailCore
@testable import PkgtrailStore

extension TrailStoreTests {
    /// A signed checkpoint against the log: extended, truncated below it,
    /// rewritten at or before it (a chain break there), or forked (an intact
    /// chain whose event at that size is not the one signed).
    func testCheckpointVerdicts() throws {
        let store = try seeded(3)
        let report = try store.verify()
        let second = try XCTUnwrap(store.event(seq: 2)).hash
        func verdict(_ size: Int64, _ head: [UInt8], _ r: VerifyReport? = nil) throws -> CheckpointVerdict {
            try CheckpointVerdict.judge(
                Checkpoint(origin: "o", size: size, head: head), report: r ?? report, store: store)
        }
        XCTAssertTrue(try verdict(2, second).ok)
        XCTAssertTrue(try verdict(0, Chain.genesis).ok)
        guard case .truncated(let have) = try verdict(5, second) else { return XCTFail("not truncated") }
        XCTAssertEqual(have, 3)
        guard case .forked(let at) = try verdict(2, [UInt8](repeating: 9, count: 32)) else {
            return XCTFail("not forked")
        }
        XCTAssertEqual(at, 2)
        let broken = VerifyReport(
            count: 3, head: report.head, problems: [.projection(seq: 2, "edited")], projectionsChecked: true)
        guard case .rewritten = try verdict(2, second, broken) else { return XCTFail("not rewritten") }
        // A problem after the signed size does not touch what was signed.
        let later = VerifyReport(
            count: 3, head: report.head, problems: [.projection(seq: 3, "edited")], projectionsChecked: true)
        XCTAssertTrue(try verdict(2, second, later).ok)
    }
}
