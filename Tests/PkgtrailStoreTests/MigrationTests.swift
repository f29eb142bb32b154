import Foundation
import GRDB
import XCTest

@testable import PkgtrailCore
@testable import PkgtrailStore

/// Logs written by older pkgtrails upgrade in place and answer as a new one does.
extension TrailStoreTests {
    /// Appends as pkgtrail did before migration 4: host and prefix strings in
    /// the summary, presence windows (where migration 2 ran) closed by
    /// rewriting the row that opened them.
    static func appendBeforeEnvironmentIDs(_ db: Database, _ events: [Event]) throws {
        var (seq, previous) = try TrailStore.head(db)
        let hasPresence = try db.tableExists("presence")
        for var e in events {
            seq += 1
            e.seq = seq
            let sealed = Chain.seal(try Chain.Draft(e.json), seq: seq, previous: previous)
            try db.execute(
                sql: "INSERT INTO event (seq, id, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)",
                arguments: [seq, e.id, Data(previous), Data(sealed.hash), Data(sealed.body)])
            let p = Projection(e)
            let s = p.summary
            try db.execute(
                sql: """
                    INSERT INTO event_summary (seq, kind, started, finished, user, host, tool, prefix, outcome, \
                    exit_status,
                                               change_count, state_after, startup_after)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    s.seq, s.kind, s.started, s.finished, s.user, s.host, s.tool, s.prefix, s.outcome,
                    s.exitStatus, s.changeCount, s.stateAfter, s.startupAfter
                ])
            for c in p.changes {
                try db.execute(
                    sql: """
                        INSERT INTO change (seq, idx, name, action, from_version, to_version, sha256, startup_hook)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [c.seq, c.idx, c.name, c.action, c.fromVersion, c.toVersion, c.sha256, c.startupHook])
                guard hasPresence else { continue }
                try db.execute(
                    sql: """
                        UPDATE presence SET until_seq = ?
                        WHERE host = ? AND prefix = ? AND name = ? AND until_seq IS NULL
                        """,
                    arguments: [seq, s.host, s.prefix, c.name])
                if c.action != "remove", let v = c.toVersion {
                    try db.execute(
                        sql: """
                            INSERT INTO presence (since_seq, idx, host, prefix, name, version)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [seq, c.idx, s.host, s.prefix, c.name, v])
                }
            }
            previous = sealed.hash
        }
    }

    /// The projection rows with environments spelled out: equal for a log
    /// upgraded and one written new.
    func projectionRows(_ path: String) throws -> [Row] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.*, v.host, v.prefix, NULL AS sep, c.* FROM event_summary s JOIN environment v ON v.id = \
                    s.env
                    JOIN change c ON c.seq = s.seq ORDER BY c.seq, c.idx
                    """)
        }
    }

    /// A log stopped after each earlier migration upgrades through the rest
    /// (migration 2 builds presence windows from the change rows, 4 replaces
    /// them with environment ids) and then holds what a new log holds.
    func testLogsFromEachEarlierShapeUpgradeToTheSameAnswers() throws {
        _ = try lifecycle()
        let fresh = try projectionRows(path)
        let windowsOfANewLog = try windows(TrailStore.openForReading(path: path))
        let events = try TrailStore.openForReading(path: path).allEvents().map(\.event)
        for last in ["1-chain-and-projections", "2-presence-and-query-indexes", "3-chain-linked-by-trigger"] {
            let old = dir + "/\(last).db"
            let queue = try DatabaseQueue(path: old)
            try Schema.migrator.migrate(queue, upTo: last)
            try queue.write { try Self.appendBeforeEnvironmentIDs($0, events) }
            XCTAssertFalse(try TrailStore(path: old, queue: queue).hasCurrentSchema())
            let readOnly = try TrailStore.openForReading(path: old).verify()
            XCTAssertTrue(readOnly.intact, "\(last): \(readOnly.problems)")
            XCTAssertFalse(readOnly.projectionsChecked, "the old tables are not read")

            // The queries' open upgrades it (once), as the next install would.
            XCTAssertTrue(try TrailStore.openForQueries(path: old).hasCurrentSchema())
            let store = try TrailStore.openForWriting(path: old)
            XCTAssertTrue(try store.hasCurrentSchema())
            XCTAssertEqual(try projectionRows(old), fresh, last)
            XCTAssertEqual(try windows(store), windowsOfANewLog, last)
            let report = try store.verify()
            XCTAssertTrue(report.intact && report.projectionsChecked, "\(last): \(report.problems)")
            try DatabaseQueue(path: old).read { db in
                XCTAssertFalse(try db.tableExists("presence"))
                XCTAssertEqual(
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
                    ),
                    [
                        "change_by_name", "environment_prefix", "event_summary_env", "event_summary_finished",
                        "event_summary_user"
                    ])
            }
            // And it goes on as a new log does.
            try store.append([
                Self.event(
                    7,
                    changes: [
                        Change(
                            name: "pkg", action: .upgrade, fromVersion: "2.1", toVersion: "3.0",
                            artifact: nil, recordSHA256: nil, installer: "pip", requested: true,
                            requiredBy: [], startupHooks: [])
                    ])
            ])
            XCTAssertEqual(
                try windows(store).filter { $0.hasPrefix("build-1:/w/.venv") }.suffix(2),
                ["build-1:/w/.venv 2.1 [5, 7)", "build-1:/w/.venv 3.0 [7, -)"], last)
            XCTAssertTrue(try store.verify().intact)
        }
    }

    /// A log written before migration 5 (versions not in the name index)
    /// gets the covering index and the same answers, and goes on.
    func testMigrationFiveCoversVersionsInTheNameIndex() throws {
        _ = try lifecycle()
        let fresh = try TrailStore.openForReading(path: path)
        let events = try fresh.allEvents().map(\.event)
        let expected = try windows(fresh)
        let old = dir + "/4.db"
        let queue = try DatabaseQueue(path: old)
        try Schema.migrator.migrate(queue, upTo: "4-environment-ids")
        _ = try TrailStore(path: old, queue: queue).append(events)
        XCTAssertFalse(try TrailStore(path: old, queue: queue).hasCurrentSchema())
        try queue.close()

        let store = try TrailStore.openForQueries(path: old)
        XCTAssertTrue(try store.hasCurrentSchema())
        XCTAssertEqual(try windows(store), expected)
        XCTAssertTrue(try store.verify().intact)
        try DatabaseQueue(path: old).read { db in
            XCTAssertEqual(
                try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'change_by_name'"),
                "CREATE INDEX change_by_name ON change(name, env, seq, action, to_version, from_version)")
            XCTAssertNil(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'change_name'"))
            // The audit's and who's questions are answered from the index alone.
            let plan = try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT DISTINCT to_version FROM change WHERE name = 'pkg'"
            ).map { $0["detail"] as String }.joined()
            XCTAssertTrue(plan.contains("COVERING INDEX change_by_name"), plan)
        }
    }

    /// A log in migration 1's shape (UNIQUE hash columns) is rebuilt with the
    /// head-extending trigger instead: rows, seqs and the high-water mark of a
    /// tail deleted before the upgrade all survive, and verify still sees the cut.
    func testMigrationThreeLinksTheChainByTrigger() throws {
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "2-presence-and-query-indexes")
        try queue.write { try Self.appendBeforeEnvironmentIDs($0, (1...5).map { Self.event($0) }) }
        XCTAssertTrue(try queue.read(Schema.hasUniqueHashColumns))
        try tamper(
            """
            DELETE FROM presence WHERE since_seq = 5; DELETE FROM change WHERE seq = 5;
            DELETE FROM event_summary WHERE seq = 5; DELETE FROM event WHERE seq = 5
            """
        )
        let rows = "SELECT seq, id, prev_hash, hash, body FROM event ORDER BY seq"
        let before = try queue.read { try Row.fetchAll($0, sql: rows) }
        XCTAssertEqual(try TrailStore.openForReading(path: path).verify().problems.map(\.seq), [5])

        let store = try TrailStore.openForWriting(path: path)
        try queue.read { db in
            XCTAssertFalse(try Schema.hasUniqueHashColumns(db))
            XCTAssertEqual(try Row.fetchAll(db, sql: rows), before)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event'"), 5)
            XCTAssertEqual(
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"),
                ["event_extends_head", "event_no_delete", "event_no_update"])
        }
        let p = try XCTUnwrap(store.verify().problems.first)
        XCTAssertEqual(p.seq, 5)
        XCTAssertTrue(p.description.contains("deleted from the end"), p.description)
        XCTAssertEqual(try store.verify().problems.count, 1, "the triggers are as expected")
    }

}

extension TrailStoreTests {
    /// A read-only copy of an older log cannot be upgraded: the queries are
    /// told what to do, `verify` (older schema allowed) reads it as it is.
    func testAnOlderReadOnlyLogIsReadAsItIsOnlyByVerify() throws {
        _ = try lifecycle()
        let events = try TrailStore.openForReading(path: path).allEvents().map(\.event)
        let old = dir + "/old.db"
        let queue = try DatabaseQueue(path: old)
        try Schema.migrator.migrate(queue, upTo: "3-chain-linked-by-trigger")
        try queue.write { try Self.appendBeforeEnvironmentIDs($0, events) }
        try queue.close()
        // The writer's open fails as on a read-only copy (root writes even those).
        let readOnly: (String) throws -> Void = { _ in
            throw StoreError(.unwritable, "attempt to write a readonly database")
        }
        XCTAssertThrowsError(try TrailStore.openForQueries(path: old, olderSchemaAllowed: false, upgrade: readOnly)) {
            e in
            XCTAssertEqual((e as? PkgtrailError)?.kind, .unwritable, "\(e)")
            XCTAssertTrue("\(e)".contains("open it once with write access"), "\(e)")
        }
        XCTAssertFalse(
            try TrailStore.openForQueries(path: old, olderSchemaAllowed: true, upgrade: readOnly).hasCurrentSchema())
        // And the real writer upgrades it.
        XCTAssertTrue(try TrailStore.openForQueries(path: old).hasCurrentSchema())
    }
}
