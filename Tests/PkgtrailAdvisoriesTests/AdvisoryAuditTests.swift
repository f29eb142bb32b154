import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories

final class AdvisoryAuditTests: XCTestCase {
    func advisory(_ id: String, aliases: [String] = [], severity: String? = nil) throws -> OSVAdvisory {
        var doc: [String: JSONValue] = [
            "id": .string(id), "modified": .string("2026-01-01T00:00:00Z"), "aliases": .strings(aliases),
            "summary": .string("\(id) says"), "affected": .array([])
        ]
        if let severity { doc["database_specific"] = .object(["severity": .string(severity)]) }
        return try OSVAdvisory.parse(CanonicalJSON.encode(.object(JSONObject(doc))))[0]
    }

    func testAliasesEitherWayAndThroughAThirdMakeOneIncident() throws {
        let incidents = AdvisoryAudit.incidents([
            try advisory("PYSEC-2026-2", aliases: ["GHSA-x"], severity: "MODERATE"),
            try advisory("GHSA-y", severity: "LOW"),
            try advisory("MAL-2026-2144", aliases: ["PYSEC-2026-2"]),
            try advisory("GHSA-x", severity: "CRITICAL")
        ])
        XCTAssertEqual(incidents.map(\.ids), [["GHSA-y"], ["MAL-2026-2144", "GHSA-x", "PYSEC-2026-2"]])
        XCTAssertEqual(incidents[1].severity, "CRITICAL")
        XCTAssertTrue(incidents[1].malicious)
        XCTAssertFalse(incidents[0].malicious)
        XCTAssertEqual(incidents[1].summary, "MAL-2026-2144 says")
    }

    func testSeverityWordsRank() {
        XCTAssertEqual(["low", "CRITICAL", "Moderate", "HIGH", "unknown"].map(AdvisoryAudit.rank), [1, 4, 2, 3, nil])
    }

    /// The windows are ordered by the numbers made of their times' first 24
    /// bytes: those must order as the bytes do, and tie only where they are equal.
    func testTimesCompareAsNumbersInTheirBytesOrder() {
        let times = [
            "2026-03-24T10:00:00.000Z", "2026-03-24T10:00:00.001Z", "2026-03-24T09:59:59.999Z",
            "2026-03-24T10:00:00.000Z", "2026-03-24T10:00:00Z", "2026-03-24", "", "2027-01-01T00:00:00.000Z",
            "2026-03-24T10:00:00.000+00:00", "2026-03-24T10:00:00.0000Z", "1999-12-31T23:59:59.999Z", "é"
        ]
        for a in times {
            for b in times {
                let (x, y) = (AdvisoryAudit.sortable(a), AdvisoryAudit.sortable(b))
                let prefixes = (Array(a.utf8.prefix(24)), Array(b.utf8.prefix(24)))
                XCTAssertEqual(x < y, prefixes.0.lexicographicallyPrecedes(prefixes.1), "\(a) < \(b)")
                XCTAssertEqual(x == y, prefixes.0 == prefixes.1, "\(a) == \(b)")
            }
        }
    }
}

/// Only `presences` is asked for by `eachPart`; the rest of the protocol is never reached.
private final class PresencesOnly: TrailQueries {
    var asked: [[Int64]] = []
    let event = Event(
        id: "e", kind: .install, started: "2026-03-24T10:00:00.000Z", finished: "2026-03-24T10:00:01.000Z",
        actor: EventActor(user: "u", uid: 1, sudoUser: nil, host: "h", ci: nil), command: nil,
        environment: Environment(
            prefix: "/p", python: nil, pythonVersion: nil, platform: nil, isVenv: true, siteDirs: []),
        sources: [], changes: [], startupHooks: [], stateBefore: "", stateAfter: "", startupBefore: "",
        startupAfter: "",
        notes: [])

    func presences(_ windows: [Window]) throws -> [Presence] {
        asked.append(windows.map(\.since))
        return try windows.map { w in
            Presence(
                name: w.name, version: w.version, host: w.host, prefix: w.prefix,
                arrival: try ChangeRecord(event: event, hash: [], index: 0), departure: nil)
        }
    }
    func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents { fatalError() }
    func who(_ query: PackageQuery, _ filter: EventFilter) throws -> [ChangeRecord] { fatalError() }
    func state(of key: EnvironmentKey, at: String?) throws -> [Presence] { fatalError() }
    func windows(names: [String], within filter: EventFilter, matches: @Sendable (String, String) -> Bool) throws
        -> [Window]
    {
        fatalError()
    }
    func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws { fatalError() }
    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws { fatalError() }
    func packageNames() throws -> Set<String> { fatalError() }
    func hasEnvironment(_ key: EnvironmentKey) throws -> Bool { fatalError() }
    func someEnvironments(limit: Int) throws -> [EnvironmentKey] { fatalError() }
    func hosts(prefix: String, limit: Int) throws -> [String] { fatalError() }
}

extension AdvisoryAuditTests {
    /// Every hit comes back once, in order, with its own incidents, a part at a time.
    func testEveryPartIsReadAndHandedOverInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let queries = PresencesOnly()
        let audit = AdvisoryAudit(queries: queries, store: try AdvisoryStore.openForWriting(path: dir + "/a.db"))
        let hits = (1...10).map { i in
            AdvisoryAudit.Hit(
                window: Window(
                    name: "pkg-\(i)", version: "1.0", host: "h", prefix: "/p", log: 0, since: Int64(i), until: nil,
                    started: "2026-03-24T10:00:00.000Z", ended: nil),
                incidents: [.init(ids: ["MAL-\(i)"], summary: nil, malicious: true, severity: nil)])
        }
        var seen: [(String, [String])] = []
        try audit.eachPart(of: hits, size: 4) { part in seen += part.map { ($0.presence.name, $0.incidents[0].ids) } }
        XCTAssertEqual(queries.asked, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
        XCTAssertEqual(seen.map(\.0), (1...10).map { "pkg-\($0)" })
        XCTAssertEqual(seen.map(\.1), (1...10).map { ["MAL-\($0)"] })

    }
}
