import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories
@testable import PkgtrailQueryCommands

/// `audit --json` writes each change record once for the whole answer:
/// a record that a later part names again is kept, not read and written
/// again, and every finding is still the presence record of its window.
final class AuditJSONTests: XCTestCase {
    func testARecordNamedByTwoPartsIsReadOnceAndEveryFindingIsItsPresence() throws {
        // pkg 1.0 arrives (seq 1), goes to 2.0 (seq 2), then to 3.0 (seq 3).
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
                        name: "pkg", action: from == nil ? .install : .upgrade, fromVersion: from, toVersion: to,
                        artifact: nil, recordSHA256: nil, installer: "pip", requested: true, requiredBy: [],
                        startupHooks: [])
                ], startupHooks: [], stateBefore: "a", stateAfter: "b", startupBefore: "c", startupAfter: "d",
                drift: nil, notes: [])
        }
        let queries = StoredOnly(events: events)
        func window(_ version: String, _ since: Int64, _ until: Int64?) -> Window {
            Window(
                name: "pkg", version: version, host: "build-01", prefix: "/home/alice/.venv", log: 0, since: since,
                until: until, started: "", ended: nil)
        }
        let incidents = [AdvisoryAudit.Incident(ids: ["MAL-1"], summary: "bad", malicious: true, severity: nil)]
        // One finding a part: seq 2 is named by parts 0 and 2, seq 3 by parts 1 and 2.
        let hits = [window("1.0", 1, 2), window("3.0", 3, nil), window("2.0", 2, 3)].map {
            AdvisoryAudit.Hit(window: $0, incidents: incidents)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let audit = AdvisoryAudit(queries: queries, store: try AdvisoryStore.openForWriting(path: dir + "/a.db"))
        var runs: [[UInt8]] = []
        try AuditJSON.write(hits, audit, partSize: 1) { run, elements in
            XCTAssertEqual(elements, 1)
            runs.append(run)
        }
        XCTAssertEqual(queries.asked.map { $0.sorted() }, [[1, 2], [3], []])
        let expected = try hits.map { h in
            let record = { (seq: Int64) in try ChangeRecord(event: events[Int(seq) - 1], hash: [UInt8(seq)], index: 0) }
            let presence = Presence(
                name: "pkg", version: h.window.version, host: "build-01", prefix: "/home/alice/.venv",
                arrival: try record(h.window.since), departure: try h.window.until.map(record))
            return try RecordJSON.presence(
                presence,
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
}

/// Answers `storedEvents` from events held in memory, and says what it was asked.
private final class StoredOnly: TrailQueries, @unchecked Sendable {
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
