import XCTest

@testable import PkgtrailCore

/// The HTML export's picture model: bars from arrival to departure, per
/// environment and package, with what is flagged and marked.
extension ReplayAndDriftTests {
    /// Event n started at 10:0n:00 and finished at 10:0n:30.
    func timed(_ n: Int64, _ changes: [Change], host: String = "h") -> Event {
        var e = event(n, changes)
        e.started = "2026-03-24T10:0\(n):00.000Z"
        e.finished = "2026-03-24T10:0\(n):30.000Z"
        e.actor.host = host
        return e
    }

    func ms(_ minute: Int64, _ second: Int64) -> Int64 {
        Timestamp.parse("2026-03-24T10:00:00.000Z")! + minute * 60_000 + second * 1000
    }

    func testTimelineBarsRunFromArrivalToDeparture() {
        let hook = StartupHook(path: "/v/x.pth", sha256: "s", executableImport: true, status: .added)
        var t = Timeline(flags: { name, version in name == "x" && version == "1.0" }, alarming: \.executableImport)
        t.add(timed(1, [change("x", .install, nil, "1.0", hooks: [hook]), change("y", .upgrade, "1", "2")]))
        t.add(timed(2, [change("z", .install, nil, "3")], host: "other"))
        t.add(timed(3, [change("x", .upgrade, "1.0", "2.0")]))
        t.add(timed(4, [change("y", .remove, "2", nil)]))
        var failed = timed(5, [])
        failed.command = Command(tool: "pip", toolVersion: nil, argv: [], cwd: "/", exitStatus: 1, outcome: .failed)
        t.add(failed)
        XCTAssertEqual(t.start, ms(1, 0))
        XCTAssertEqual(t.end, ms(5, 30))
        XCTAssertEqual(t.places.map(\.key.host), ["h", "other"])
        let lanes = t.places[0].lanes
        XCTAssertEqual(lanes.map(\.name), ["x", "y"])
        XCTAssertEqual(
            lanes[0].bars,
            [
                Timeline.Bar(version: "1.0", from: ms(1, 0), until: ms(3, 30), flagged: true, hook: true, drift: false),
                Timeline.Bar(version: "2.0", from: ms(3, 0), until: nil, flagged: false, hook: false, drift: false)
            ])
        // y 1 was there before the export began; 2 left with event 4.
        XCTAssertEqual(lanes[1].bars.map(\.from), [nil, ms(1, 0)])
        XCTAssertEqual(lanes[1].bars.map(\.until), [ms(1, 30), ms(4, 30)])
        XCTAssertEqual(t.places[0].marks.map(\.kind), [.hook, .failed])
        XCTAssertEqual(t.places[1].lanes[0].bars.count, 1)
    }

    /// A drift arrival's window opens when the environment was last seen without it.
    func testTimelineDriftArrivesWhenLastSeen() {
        var t = Timeline(flags: { _, _ in false }, alarming: { _ in false })
        var e = timed(5, [change("x", .install, nil, "1")])
        e.kind = .drift
        e.drift = DriftWindow(lastSeen: "2026-03-24T10:02:00.000Z", lastSeenSeq: 2)
        t.add(e)
        XCTAssertEqual(t.places[0].lanes[0].bars[0].from, ms(2, 0))
        XCTAssertTrue(t.places[0].lanes[0].bars[0].drift)
        XCTAssertEqual(t.places[0].marks.map(\.kind), [.drift])
        XCTAssertEqual(t.start, ms(2, 0))
    }
}
