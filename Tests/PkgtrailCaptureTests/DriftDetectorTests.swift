import Foundation
import PkgtrailCore
import PkgtrailStore
import XCTest

@testable import PkgtrailCapture

/// The window a drift event claims, and what it counts as already recorded.
final class DriftDetectorTests: DirectoryTestCase {
    let actor = EventActor(user: "alice", uid: 1000, sudoUser: nil, host: "h", ci: nil)
    let environment = Environment(
        prefix: "/w/.venv", python: nil, pythonVersion: nil, platform: nil, isVenv: true,
        siteDirs: ["/w/.venv/lib/python3.11/site-packages"])

    func snapshot(_ versions: [String: String]) -> Snapshot {
        var s = Snapshot()
        for (name, version) in versions {
            s.distributions[name] = InstalledDistribution(
                name: name, version: version, metadataPath: "/nowhere/\(name)-\(version).dist-info", identity: "")
        }
        return s
    }

    func check(
        _ store: TrailStore, _ versions: [String: String], now: String, pending: [Event] = [],
        matchedAt: String? = nil, baseline: Bool = false
    ) throws -> Event? {
        try DriftDetector.check(
            store: store, environment: environment, snapshot: snapshot(versions), actor: actor, now: now,
            .init(observer: .watch, pending: pending, matchedAt: matchedAt, baseline: baseline))
    }

    func testTheWindowStartsAtTheLatestLookThatFoundTheRecordTrue() throws {
        let store = try TrailStore.openForWriting(path: dir + "/trail.db")
        let first = try XCTUnwrap(try check(store, ["a": "1.0"], now: "2026-03-24T10:00:00.000Z"))
        XCTAssertTrue(first.drift?.firstSeen ?? false)
        let sealed = try store.append([first])[0].event
        XCTAssertNil(try check(store, ["a": "1.0"], now: "2026-03-24T10:00:05.000Z"))  // as recorded
        let later = try XCTUnwrap(
            try check(store, ["a": "1.1"], now: "2026-03-24T10:00:09.000Z", matchedAt: "2026-03-24T10:00:07.500Z"))
        XCTAssertEqual(
            later.drift, DriftWindow(lastSeen: "2026-03-24T10:00:07.500Z", lastSeenSeq: sealed.seq, observer: .watch))
        XCTAssertEqual(later.changes.map(\.action), [.upgrade])
        // A look older than the newest event does not widen the window back.
        let stale = try XCTUnwrap(
            try check(store, ["a": "1.1"], now: "2026-03-24T10:00:09.000Z", matchedAt: "2026-03-24T09:00:00.000Z"))
        XCTAssertEqual(stale.drift?.lastSeen, sealed.finished)
    }

    /// Spooled events count as recorded: their changes are never claimed twice.
    func testWhatWaitsInTheSpoolIsPartOfTheRecord() throws {
        let store = try TrailStore.openForWriting(path: dir + "/trail.db")
        let sealed = try store.append([try XCTUnwrap(try check(store, ["a": "1.0"], now: "2026-03-24T10:00:00.000Z"))])
        let waiting = try XCTUnwrap(try check(store, ["a": "1.1"], now: "2026-03-24T10:00:04.000Z"))
        XCTAssertNil(try check(store, ["a": "1.1"], now: "2026-03-24T10:00:06.000Z", pending: [waiting]))
        let next = try XCTUnwrap(
            try check(store, ["a": "1.1", "b": "2.0"], now: "2026-03-24T10:00:08.000Z", pending: [waiting]))
        XCTAssertEqual(next.changes.map(\.name), ["b"])
        XCTAssertEqual(next.drift?.lastSeen, waiting.finished)
        XCTAssertEqual(next.drift?.lastSeenSeq, sealed[0].event.seq)
        XCTAssertTrue(next.notes.contains { $0.contains("still waiting in the spool") })
    }

    /// A same-version distribution written again is a change only the
    /// observer's own snapshots show; it is recorded as a reinstall.
    func testAReinstallTheObserverSawIsRecorded() throws {
        let store = try TrailStore.openForWriting(path: dir + "/trail.db")
        try store.append([try XCTUnwrap(try check(store, ["a": "1.0"], now: "2026-03-24T10:00:00.000Z"))])
        var before = snapshot(["a": "1.0"])
        before.distributions["a"]?.identity = "1:1"
        var after = before
        after.distributions["a"]?.identity = "2:2"
        let delta = try XCTUnwrap(before.deltas(to: after).first)
        XCTAssertEqual(delta.action, .reinstall)
        let e = try XCTUnwrap(
            try DriftDetector.check(
                store: store, environment: environment, snapshot: after, actor: actor, now: "2026-03-24T10:00:05.000Z",
                .init(observer: .watch, reinstalled: [delta])))
        XCTAssertEqual(e.changes.map(\.action), [.reinstall])
        XCTAssertEqual(e.stateBefore, e.stateAfter)
        XCTAssertTrue(SiteScanner.replaced(delta.before!, by: delta.after!))
        after.distributions["a"]?.identity = "1:3"  // same directory, still being written
        XCTAssertFalse(SiteScanner.replaced(before.distributions["a"]!, by: after.distributions["a"]!))
    }

    /// When the log cannot be read, the record is what the last matching look found.
    func testARecordKeptInMemoryComparesTheSame() throws {
        var state = RecordedState()
        state.versions = ["a": "1.0"]
        let record = DriftDetector.Record(state: state, newestSeq: 7, newestFinished: nil)
        let e = try XCTUnwrap(
            DriftDetector.compare(
                record, environment: environment, snapshot: snapshot(["a": "1.1"]), actor: actor,
                now: "2026-03-24T10:00:05.000Z", .init(observer: .watch, matchedAt: "2026-03-24T10:00:04.000Z")))
        XCTAssertEqual(e.changes.map(\.action), [.upgrade])
        XCTAssertEqual(
            e.drift, DriftWindow(lastSeen: "2026-03-24T10:00:04.000Z", lastSeenSeq: 7, observer: .watch))
        XCTAssertNil(
            DriftDetector.compare(
                record, environment: environment, snapshot: snapshot(["a": "1.0"]), actor: actor,
                now: "2026-03-24T10:00:05.000Z", .init(observer: .watch)))
    }

    /// The watcher records a new, empty environment, so what arrives later has a window.
    func testAnEmptyNewEnvironmentIsABaselineOnlyWhenAsked() throws {
        let store = try TrailStore.openForWriting(path: dir + "/trail.db")
        XCTAssertNil(try check(store, [:], now: "2026-03-24T10:00:00.000Z"))
        let base = try XCTUnwrap(try check(store, [:], now: "2026-03-24T10:00:00.000Z", baseline: true))
        XCTAssertEqual(base.changes, [])
        XCTAssertTrue(base.notes.contains { $0.contains("holds no distributions yet") })
        try store.append([base])
        XCTAssertNil(try check(store, [:], now: "2026-03-24T10:00:01.000Z", baseline: true))
    }
}
