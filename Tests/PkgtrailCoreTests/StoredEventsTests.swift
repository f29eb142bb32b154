import PkgtrailCore
import XCTest

final class StoredEventsTests: XCTestCase {
    /// Each event is found by log and seq, its hash and body as given; the
    /// same event named twice is kept once; logs do not share seqs.
    func testEventsAreFoundByLogAndSeqAndKeptOnce() {
        var events = StoredEvents(events: 4, bodies: 64)
        events.add(.init(log: 0, seq: 7), hash: [1, 2], body: Array("{\"a\":1}".utf8))
        events.add(.init(log: 1, seq: 7), hash: [3], body: Array("{}".utf8))
        events.add(.init(log: 0, seq: 7), hash: [9], body: Array("{\"b\":2}".utf8))
        events.add(.init(log: 0, seq: 8), hash: [UInt8](), body: [UInt8]())
        XCTAssertEqual(events.count, 3)
        func text(_ log: Int64, _ seq: Int64) -> ([UInt8], String)? {
            events[.init(log: log, seq: seq)].map {
                (Array(events.bytes[$0.hash]), String(decoding: events.bytes[$0.body], as: UTF8.self))
            }
        }
        XCTAssertEqual(text(0, 7)?.0, [1, 2])
        XCTAssertEqual(text(0, 7)?.1, "{\"a\":1}")
        XCTAssertEqual(text(1, 7)?.0, [3])
        XCTAssertEqual(text(1, 7)?.1, "{}")
        XCTAssertEqual(text(0, 8)?.1, "")
        XCTAssertNil(text(2, 7))
        XCTAssertEqual(events.bytes.count, 2 + 7 + 1 + 2)
    }

    /// An event the projections named but the engine did not read is an
    /// inconsistent log, said so, not a crash.
    func testAnEventNotReadIsTheLogsInconsistency() throws {
        var events = StoredEvents()
        events.add(.init(log: 0, seq: 7), hash: [1], body: [2])
        XCTAssertEqual(try events.place(of: .init(log: 0, seq: 7)).body, 1..<2)
        XCTAssertThrowsError(try events.place(of: .init(log: 1, seq: 7))) { e in
            XCTAssertEqual((e as? PkgtrailError)?.kind, .corrupt)
            XCTAssertTrue("\(e)".contains("pkgtrail verify"), "\(e)")
        }
    }
}
