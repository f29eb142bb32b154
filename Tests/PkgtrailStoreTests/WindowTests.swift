import Foundation
import GRDB
import XCTest

@testable import PkgtrailCore
@testable import PkgtrailStore

/// Presence windows are found by query (a change up to the next change to
/// the same package in the same environment); environments are ids.
extension TrailStoreTests {
    /// Every window of `pkg`, as "host:prefix version [since, until)".
    func windows(_ store: any TrailQueries) throws -> [String] {
        try store.exposure(name: "pkg") { _ in true }.map { w in
            let until = w.departure.map { String($0.event.seq) } ?? "-"
            return "\(w.host):\(w.prefix) \(w.version) [\(w.arrival.event.seq), \(until))"
        }
    }

    /// A window starts when the installing command started (a drift arrival:
    /// when the environment was last seen without it; nil when it was there
    /// at first sight) and ends when the replacing command finished.
    func testWindowStartAndEnd() throws {
        let store = try lifecycle()
        let w = try store.exposure(name: "pkg") { _ in true }
        let first = try XCTUnwrap(w.first { $0.prefix == "/w/.venv" && $0.version == "1.0" })
        XCTAssertEqual(first.windowStart, first.arrival.event.started)
        XCTAssertEqual(first.windowEnd, first.departure?.event.finished)
        XCTAssertNotNil(first.windowEnd)
        let open = try XCTUnwrap(w.first { $0.version == "2.1" })
        XCTAssertNil(open.windowEnd)

        var drifted = Self.event(50)
        drifted.kind = .drift
        drifted.command = nil
        drifted.drift = DriftWindow(lastSeen: "2026-03-24T09:00:00.000Z", lastSeenSeq: 1)
        let arrival = try ChangeRecord(event: drifted, hash: [], index: 0)
        let presence = Presence(name: "pkg", version: "1", host: "h", prefix: "/p", arrival: arrival, departure: nil)
        XCTAssertEqual(presence.windowStart, "2026-03-24T09:00:00.000Z")
        drifted.drift = DriftWindow(lastSeen: nil, lastSeenSeq: nil)
        let firstSight = try ChangeRecord(event: drifted, hash: [], index: 0)
        XCTAssertNil(
            Presence(name: "pkg", version: "1", host: "h", prefix: "/p", arrival: firstSight, departure: nil)
                .windowStart)
    }

    /// The index a change came from is the first index in force; extra
    /// indexes and find-links do not count.
    func testIndexInForce() {
        var e = Self.event(1)
        XCTAssertNil(e.indexInForce)
        e.sources = [
            Source(kind: .findLinks, url: "/wheels", origin: "argv"),
            Source(kind: .extraIndex, url: "https://extra/simple", origin: "argv"),
            Source(kind: .index, url: "https://idx/simple", origin: "env:PIP_INDEX_URL"),
            Source(kind: .index, url: "https://later/simple", origin: "pip.conf")
        ]
        XCTAssertEqual(e.indexInForce, "https://idx/simple")
    }

    func testPresenceWindowsFollowEachEnvironment() throws {
        let store = try lifecycle()
        try assertLifecycleAnswers(store)
        XCTAssertEqual(try store.lastSeen(host: "build-1", prefix: "/w/.venv")?.seq, 5)
        XCTAssertEqual(try store.knownEnvironments(host: "build-1").map(\.prefix), ["/elsewhere", "/w/.venv"])
        XCTAssertTrue(try store.verify().intact)
    }

    /// What any engine holding lifecycle()'s six events must answer, asked
    /// through `TrailQueries` only: the SQLite log here, and any second
    /// engine (the fleet store) with the same events.
    func assertLifecycleAnswers(_ store: any TrailQueries) throws {
        XCTAssertEqual(
            try windows(store),
            [
                "build-1:/w/.venv 1.0 [1, 2)", "build-1:/w/.venv 2.0 [2, 4)", "build-1:/elsewhere 7.0 [3, -)",
                "build-1:/w/.venv 2.1 [5, -)", "build-2:/w/.venv 9.0 [6, -)"
            ])
        func state(_ host: String, _ prefix: String, at: String?) throws -> [String] {
            try store.state(of: EnvironmentKey(host: host, prefix: prefix), at: at).map {
                "\($0.version)@\($0.arrival.event.seq)"
            }
        }
        // Event n finished at 10:0n:01.
        XCTAssertEqual(try state("build-1", "/w/.venv", at: nil), ["2.1@5"])
        XCTAssertEqual(try state("build-1", "/w/.venv", at: "2026-03-24T10:01:30.000Z"), ["1.0@1"])
        XCTAssertEqual(try state("build-1", "/w/.venv", at: "2026-03-24T10:02:01.000Z"), ["2.0@2"])
        XCTAssertEqual(try state("build-1", "/w/.venv", at: "2026-03-24T10:04:30.000Z"), [])
        XCTAssertEqual(try state("build-2", "/w/.venv", at: nil), ["9.0@6"])
        XCTAssertEqual(try state("build-3", "/w/.venv", at: nil), [])
        XCTAssertEqual(
            try store.someEnvironments(limit: 9),
            [
                EnvironmentKey(host: "build-1", prefix: "/w/.venv"),
                EnvironmentKey(host: "build-1", prefix: "/elsewhere"),
                EnvironmentKey(host: "build-2", prefix: "/w/.venv")
            ])
        XCTAssertEqual(try store.hosts(prefix: "/w/.venv", limit: 9), ["build-1", "build-2"])
        XCTAssertTrue(try store.hasEnvironment(EnvironmentKey(host: "build-2", prefix: "/w/.venv")))
        XCTAssertFalse(try store.hasEnvironment(EnvironmentKey(host: "build-2", prefix: "/elsewhere")))
        func seqs(_ filter: EventFilter) throws -> [Int64] {
            var out: [Int64] = []
            try store.eachEvent(filter) { out.append($0.event.seq) }
            return out
        }
        XCTAssertEqual(try seqs(EventFilter(host: "build-1")), [1, 2, 3, 4, 5])
        XCTAssertEqual(try seqs(EventFilter(prefixes: ["/w/.venv"])), [1, 2, 4, 5, 6])
        XCTAssertEqual(try seqs(EventFilter(host: "build-2", prefixes: ["/w/.venv", "/elsewhere"])), [6])
        XCTAssertEqual(try store.who(PackageQuery("pkg==2.0")).map { $0.event.seq }, [2, 4])
        try assertNarrowedAnswers(store)
    }

    /// `--since`, `--until`, `--host`, `--env` and `--limit` on who, exposure and log.
    func assertNarrowedAnswers(_ store: any TrailQueries) throws {
        func who(_ q: String, _ f: EventFilter) throws -> [Int64] { try store.who(PackageQuery(q), f).map(\.event.seq) }
        XCTAssertEqual(try who("pkg", EventFilter(limit: 2)), [5, 6])
        XCTAssertEqual(try who("pkg", EventFilter(host: "build-1", limit: 2)), [4, 5])
        XCTAssertEqual(try who("pkg", EventFilter(prefixes: ["/elsewhere"])), [3])
        // Event n started at 10:0n:00 and finished at 10:0n:01.
        XCTAssertEqual(try who("pkg==2.0", EventFilter(since: "2026-03-24T10:03:00.000Z")), [4])
        XCTAssertEqual(try who("pkg", EventFilter(until: "2026-03-24T10:02:00.000Z")), [1])
        XCTAssertEqual(try who("pkg==2.0", EventFilter(host: "build-2")), [])
        XCTAssertEqual(try who("pkg>=2", EventFilter(since: "2026-03-24T10:04:00.000Z", limit: 1)), [6])

        func exposed(_ f: EventFilter) throws -> [String] {
            try store.exposure(name: "pkg", within: f) { _ in true }.map { "\($0.version)@\($0.arrival.event.seq)" }
        }
        // A window counts when it was open at some moment in the range.
        XCTAssertEqual(try exposed(EventFilter(since: "2026-03-24T10:04:30.000Z")), ["7.0@3", "2.1@5", "9.0@6"])
        XCTAssertEqual(
            try exposed(EventFilter(since: "2026-03-24T10:04:00.000Z")), ["2.0@2", "7.0@3", "2.1@5", "9.0@6"])
        XCTAssertEqual(try exposed(EventFilter(until: "2026-03-24T10:02:00.000Z")), ["1.0@1"])
        XCTAssertEqual(try exposed(EventFilter(limit: 2)), ["2.1@5", "9.0@6"])
        XCTAssertEqual(try exposed(EventFilter(host: "build-1", prefixes: ["/w/.venv"], limit: 2)), ["2.0@2", "2.1@5"])

        func seqs(_ filter: EventFilter) throws -> [Int64] {
            var out: [Int64] = []
            try store.eachEvent(filter) { out.append($0.event.seq) }
            return out
        }
        XCTAssertEqual(try seqs(EventFilter(limit: 2)), [5, 6])
        XCTAssertEqual(try seqs(EventFilter(host: "build-1", limit: 3)), [3, 4, 5])
        XCTAssertEqual(try seqs(EventFilter(package: "pkg", user: "alice", limit: 100)), [1, 2, 3, 4, 5, 6])
    }

    /// An attacker edits the environment ids or the environment table (plain
    /// SQLite, foreign keys off) to move a package out of sight; verify names
    /// the first event whose rows no longer match its body.
    func testEditedEnvironmentIsReported() throws {
        // Environment ids in lifecycle(): 1 build-1:/w/.venv, 2 build-1:/elsewhere, 3 build-2:/w/.venv.
        for (sql, seq, why) in [
            ("UPDATE change SET env = 2 WHERE seq = 2", Int64(2), "change row 2/0 differs"),
            ("UPDATE event_summary SET env = 2 WHERE seq = 1", 1, "summary row differs"),
            ("UPDATE event_summary SET env = 99 WHERE seq = 4", 4, "environment id 99 is not in the environment table"),
            ("UPDATE environment SET prefix = '/x' WHERE id = 2", 3, "summary row differs"),
            ("UPDATE environment SET host = 'build-9' WHERE id = 1", 1, "summary row differs"),
            (
                "INSERT INTO environment (host, prefix) VALUES ('build-1', '/ghost')", 6,
                "environment id 4 (/ghost on build-1) has no event"
            ),
            (
                """
                CREATE TABLE loose AS SELECT * FROM environment; DROP TABLE environment; ALTER TABLE loose RENAME TO \
                environment;
                INSERT INTO environment VALUES (4, 'build-1', '/w/.venv'); UPDATE event_summary SET env = 4 WHERE seq \
                = 5;
                UPDATE change SET env = 4 WHERE seq = 5
                """, 1, "environment ids 1 and 4 both name /w/.venv on build-1"
            )
        ] as [(String, Int64, String)] {
            try? FileManager.default.removeItem(atPath: dir)
            try setUpWithError()
            _ = try lifecycle()
            try DatabaseQueue(path: path).writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: sql)
            }
            let p = try XCTUnwrap(TrailStore.openForReading(path: path).verify().problems.first, sql)
            // Asserted on the kind, not the text around it: a projection
            // problem at that seq, whose reason names what is wrong.
            guard case .projection(let at, let reason) = p else {
                return XCTFail("\(sql): \(p) is not a projection problem")
            }
            XCTAssertEqual(at, seq, "\(sql): \(p)")
            XCTAssertTrue(reason.contains(why), "\(sql): \(p)")
        }
    }
}

extension TrailStoreTests {
    /// Many names are walked by two readers on two connections, taking
    /// names in turn: the answer is each name's own answer, in the names'
    /// order, whichever reader took which name.
    func testManyNamesAreWalkedOnTwoConnectionsAndAnsweredInOrder() throws {
        let names = (0..<40).map { "pkg-\($0)" }
        func change(_ name: String, _ action: Change.Action, _ from: String?, _ to: String?) -> Change {
            Change(
                name: name, action: action, fromVersion: from, toVersion: to, artifact: nil, recordSHA256: nil,
                installer: "pip", requested: true, requiredBy: [], startupHooks: [])
        }
        var events: [Event] = []
        for (k, name) in names.enumerated() {
            events.append(Self.event(3 * k + 1, changes: [change(name, .install, nil, "1.0")]))
            events.append(Self.event(3 * k + 2, changes: [change(name, .upgrade, "1.0", "2.0")]))
            var elsewhere = Self.event(3 * k + 3, changes: [change(name, .install, nil, "1.0")])
            elsewhere.environment.prefix = "/elsewhere"
            events.append(elsewhere)
        }
        let store = try TrailStore.openForWriting(path: path)
        try store.append(events)
        let reader = try TrailStore.openForReading(path: path)
        func described(_ windows: [Window]) -> [String] {
            windows.map { "\($0.name) \($0.version) \($0.prefix) [\($0.since), \($0.until.map(String.init) ?? "-"))" }
        }
        let alone = try names.flatMap { name in
            described(try reader.windows(names: [name], within: EventFilter()) { _, v in v == "1.0" })
        }
        XCTAssertEqual(alone.count, 80)
        XCTAssertEqual(alone.prefix(2), ["pkg-0 1.0 /w/.venv [1, 2)", "pkg-0 1.0 /elsewhere [3, -)"])
        // Each test is slow enough that the second reader takes names too;
        // both test versions at once.
        final class Testers: @unchecked Sendable {
            private let lock = NSLock()
            private var seen = Set<UInt>()
            func add(_ t: UInt) { lock.withLock { _ = seen.insert(t) } }
            var count: Int { lock.withLock { seen.count } }
        }
        let testers = Testers()
        let together = try reader.windows(names: names, within: EventFilter()) { _, v in
            testers.add(UInt(pthread_self()))
            usleep(2000)
            return v == "1.0"
        }
        XCTAssertEqual(described(together), alone)
        XCTAssertEqual(testers.count, 2, "both readers walked")
    }
}
