import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories
@testable import PkgtrailQueryCommands

/// `audit` writes each change record once for the whole answer, in either
/// format: a record that a later part names again is kept, not read and
/// written again, and every finding is still what `exposure` shows of its
/// window (the presence record, the window's text).
final class AuditAnswerTests: XCTestCase {
    /// pkg 1.0 arrives (seq 1), goes to 2.0 (seq 2), then to 3.0 (seq 3),
    /// each time with another package, whose change comes first.
    let events = [(1, nil, "1.0"), (2, "1.0", "2.0"), (3, "2.0", "3.0")].map { seq, from, to in
        Event(
            seq: Int64(seq), prevHash: String(repeating: "0", count: 64), id: "e\(seq)", kind: .install,
            started: "2026-03-24T10:00:0\(seq).000Z", finished: "2026-03-24T10:00:0\(seq).500Z",
            actor: EventActor(user: "alice", uid: 1000, sudoUser: nil, host: "build-01", ci: nil),
            command: Command(
                tool: "pip", toolVersion: "26.3", argv: ["pip", "install", "pkg==\(to)"], cwd: "/home/alice",
                exitStatus: 0, outcome: .ok),
            environment: Environment(
                prefix: "/home/alice/.venv", python: nil, pythonVersion: nil, platform: nil, isVenv: true,
                siteDirs: []),
            sources: [],
            changes: [
                Change(
                    name: "other", action: .install, fromVersion: nil, toVersion: "9.\(seq)",
                    artifact: nil, recordSHA256: nil, installer: "pip", requested: true, requiredBy: [],
                    startupHooks: []),
                Change(
                    name: "pkg", action: from == nil ? .install : .upgrade, fromVersion: from, toVersion: to,
                    artifact: nil, recordSHA256: nil, installer: "pip", requested: true, requiredBy: [],
                    startupHooks: [])
            ], startupHooks: [], stateBefore: "a", stateAfter: "b", startupBefore: "c", startupAfter: "d",
            drift: nil, notes: [])
    }

    /// One finding a part: seq 2 is named by parts 0 and 2, seq 3 by parts 1 and 2.
    var hits: [AdvisoryAudit.Hit] {
        func window(_ version: String, _ since: Int64, _ until: Int64?) -> Window {
            Window(
                name: "pkg", version: version, host: "build-01", prefix: "/home/alice/.venv", log: 0, since: since,
                until: until, started: "", ended: nil)
        }
        let incidents = [AdvisoryAudit.Incident(ids: ["MAL-1"], summary: "bad", malicious: true, severity: nil)]
        return [window("1.0", 1, 2), window("3.0", 3, nil), window("2.0", 2, 3)].map {
            AdvisoryAudit.Hit(window: $0, incidents: incidents)
        }
    }

    /// Each window as `exposure` reads it: its events decoded whole.
    func presence(_ h: AdvisoryAudit.Hit) throws -> Presence {
        let record = { (seq: Int64) in try ChangeRecord(event: self.events[Int(seq) - 1], hash: [UInt8(seq)], index: 1)
        }
        return Presence(
            name: "pkg", version: h.window.version, host: "build-01", prefix: "/home/alice/.venv",
            arrival: try record(h.window.since), departure: try h.window.until.map(record))
    }

    func audit(_ queries: StoredOnly) throws -> (AdvisoryAudit, cleanUp: () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        let audit = AdvisoryAudit(queries: queries, store: try AdvisoryStore.openForWriting(path: dir + "/a.db"))
        return (audit, { try? FileManager.default.removeItem(atPath: dir) })
    }

    func testARecordNamedByTwoPartsIsReadOnceAndEveryFindingIsItsPresence() throws {
        let (hits, queries) = (self.hits, StoredOnly(events: events))
        let (audit, cleanUp) = try self.audit(queries)
        defer { cleanUp() }
        var runs: [[UInt8]] = []
        try AuditJSON.write(hits, audit, partSize: 1) { run, elements in
            XCTAssertEqual(elements, 1)
            runs.append(run)
        }
        XCTAssertEqual(queries.asked.map { $0.sorted() }, [[1, 2], [3], []])
        let expected = try hits.map { h in
            try RecordJSON.presence(
                presence(h),
                extra: [
                    (
                        "advisories",
                        Array(#"[{"ids":["MAL-1"],"malicious":true,"severity":null,"summary":"bad"}]"#.utf8)
                    ),
                    ("malicious", Array("true".utf8))
                ])
        }
        XCTAssertEqual(
            runs.map { String(decoding: $0, as: UTF8.self) }, expected.map { String(decoding: $0, as: UTF8.self) })
    }

    /// The text of a finding: what was held where, its advisories, and its
    /// window as `exposure` shows it; the change to the other package in
    /// the same events is not the record's.
    func testTheTextOfEachFindingIsItsWindowAsExposureShowsIt() throws {
        let (hits, queries) = (self.hits, StoredOnly(events: events))
        let (audit, cleanUp) = try self.audit(queries)
        defer { cleanUp() }
        var runs: [String] = []
        try AuditAnswer.write(hits, audit, as: AuditText(local: false), partSize: 1) { run, findings in
            XCTAssertEqual(findings, 1)
            runs.append(String(decoding: run, as: UTF8.self))
        }
        XCTAssertEqual(queries.asked.map { $0.sorted() }, [[1, 2], [3], []])
        let clock = TimeText(local: false)
        let expected = try hits.map { h in
            let p = try presence(h)
            let window = PresenceText.lines(
                arrival: RecordLines(p.arrival, clock: clock),
                departure: p.departure.map { RecordLines($0, clock: clock) },
                clock: clock)
            return
                (["MALICIOUS  pkg \(h.window.version)  on build-01  in /home/alice/.venv", "  advisory MAL-1: bad"]
                + window).map { $0 + "\n" }.joined()
        }
        XCTAssertEqual(runs, expected)
        // The arrival's block is shown, the departure's headline and cause.
        XCTAssertTrue(runs[0].contains("    cmd    pip install pkg==1.0  [pip 26.3, ok]\n"), runs[0])
        XCTAssertTrue(
            runs[0].contains(
                "  went   seq 2  2026-03-24 10:00:02Z  upgrade pkg 1.0 → 2.0  (seq 2 alice: pip install pkg==2.0)\n"),
            runs[0])
        XCTAssertFalse(runs.joined().contains("other"))
    }
}

/// Answers `storedEvents` from events held in memory, and says what it was asked.
final class StoredOnly: TrailQueries, @unchecked Sendable {
    let events: [Event]
    var asked: [[Int64]] = []

    init(events: [Event]) { self.events = events }

    func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents {
        asked.append(keys.map(\.seq))
        var stored = StoredEvents()
        for k in keys {
            stored.add(k, hash: [UInt8(k.seq)], body: try CanonicalJSON.encode(events[Int(k.seq) - 1].json))
        }
        return stored
    }
    func presences(_ windows: [Window]) throws -> [Presence] { fatalError() }
    func who(_ query: PackageQuery, _ filter: EventFilter) throws -> [ChangeRecord] { fatalError() }
    func state(of key: EnvironmentKey, at: String?) throws -> [Presence] { fatalError() }
    func windows(names: [String], within filter: EventFilter, matches: @Sendable (String, String) -> Bool) throws
        -> [Window]
    { fatalError() }
    func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws { fatalError() }
    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws { fatalError() }
    func packageNames() throws -> Set<String> { fatalError() }
    func hasEnvironment(_ key: EnvironmentKey) throws -> Bool { fatalError() }
    func someEnvironments(limit: Int) throws -> [EnvironmentKey] { fatalError() }
    func hosts(prefix: String, limit: Int) throws -> [String] { fatalError() }
}
