import Foundation
import GRDB
import XCTest

@testable import PkgtrailCore
@testable import PkgtrailStore

/// Every test gets a fresh database in its own temporary directory.
final class TrailStoreTests: XCTestCase {
    var dir: String!
    var path: String { dir + "/trail.db" }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "pkgtrail-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func event(_ i: Int, changes: [Change]? = nil) -> Event {
        Event(
            id: "00000000-0000-4000-8000-\(String(i).leftPad(12))", kind: .install,
            started: "2026-03-24T10:\(String(i % 60).leftPad(2)):00.000Z",
            finished: "2026-03-24T10:\(String(i % 60).leftPad(2)):01.000Z",
            actor: EventActor(user: "alice", uid: 1000, sudoUser: nil, host: "build-1", ci: nil),
            command: Command(
                tool: "pip", toolVersion: "26.3", argv: ["pip", "install", "pkg\(i)"], cwd: "/w",
                exitStatus: 0, outcome: .ok),
            environment: Environment(
                prefix: "/w/.venv", python: "/w/.venv/bin/python", pythonVersion: "3.11.7",
                platform: "linux-x86_64", isVenv: true, siteDirs: ["/w/.venv/lib/python3.11/site-packages"]),
            sources: [],
            changes: changes ?? [
                Change(
                    name: "pkg\(i)", action: .install, fromVersion: nil, toVersion: "1.\(i)",
                    artifact: nil, recordSHA256: nil, installer: "pip", requested: true,
                    requiredBy: [], startupHooks: [])
            ],
            startupHooks: [], stateBefore: "a", stateAfter: "b", startupBefore: "c", startupAfter: "d", notes: [])
    }

    func seeded(_ n: Int) throws -> TrailStore {
        let store = try TrailStore.openForWriting(path: path)
        try store.append((1...n).map { Self.event($0) })
        return store
    }

    /// Opens the file as an attacker would: plain SQLite, triggers dropped.
    func tamper(_ sql: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;")
            try db.execute(sql: sql)
            try db.execute(sql: Schema.noUpdateTrigger + ";" + Schema.noDeleteTrigger)
        }
    }

    func testAppendChainsAndProjects() throws {
        let store = try seeded(3)
        let report = try store.verify()
        XCTAssertTrue(report.intact, "\(report.problems)")
        XCTAssertEqual(report.count, 3)
        XCTAssertEqual(try store.allEvents(.init(package: "PKG2")).map(\.event.seq), [2])
        let e = try XCTUnwrap(store.event(seq: 2))
        XCTAssertEqual(e.event.prevHash, Hex.encode(try XCTUnwrap(store.event(seq: 1)).hash))
        XCTAssertEqual(e.hash, Chain.hash(previous: Hex.decode(e.event.prevHash)!, body: e.body))
    }

    func testSameIdIsNotAppendedTwice() throws {
        let store = try seeded(2)
        XCTAssertEqual(try store.append([Self.event(2), Self.event(3)]).map(\.event.seq), [3])
        XCTAssertEqual(try store.head().seq, 3)
    }

    func testTriggersRefuseUpdateAndDelete() throws {
        _ = try seeded(2)
        let q = try DatabaseQueue(path: path)
        for sql in ["UPDATE event SET body = x'00' WHERE seq = 1", "DELETE FROM event WHERE seq = 2"] {
            XCTAssertThrowsError(try q.write { try $0.execute(sql: sql) }) { error in
                // The triggers' RAISE(ABORT): a constraint error, whose message names the trigger's rule.
                XCTAssertEqual((error as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_TRIGGER, "\(error)")
                XCTAssertTrue((error as? DatabaseError)?.message?.contains("append-only") == true, "\(error)")
            }
        }
    }

    func testModifiedBodyIsNamed() throws {
        _ = try seeded(5)
        try tamper("UPDATE event SET body = CAST(replace(CAST(body AS TEXT), 'pkg3', 'pkgX') AS BLOB) WHERE seq = 3")
        let problem = try XCTUnwrap(TrailStore.openForReading(path: path).verify().problems.first)
        XCTAssertEqual(problem.seq, 3)
        XCTAssertTrue(problem.description.contains("modified"), problem.description)
    }

    /// verify decodes in batches on other threads: a problem deep in a later
    /// batch is still named at its seq, and the first one wins.
    func testProblemsAcrossDecodeBatchesAreNamedInOrder() throws {
        _ = try seeded(3000)
        XCTAssertTrue(try TrailStore.openForReading(path: path).verify().intact)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "UPDATE change SET to_version = '9.9' WHERE seq = 2900") }
        XCTAssertEqual(try TrailStore.openForReading(path: path).verify().problems.first?.seq, 2900)
        try tamper(
            "UPDATE event SET body = CAST(replace(CAST(body AS TEXT), 'pkg2500', 'pkgX') AS BLOB) WHERE seq = 2500")
        let report = try TrailStore.openForReading(path: path).verify()
        XCTAssertEqual(report.problems.first?.seq, 2500)
        XCTAssertEqual(report.count, 2499)
    }

    func testDeletedMiddleAndTail() throws {
        _ = try seeded(5)
        try tamper(
            "DELETE FROM change WHERE seq = 2; DELETE FROM event_summary WHERE seq = 2; DELETE FROM event WHERE seq = 2"
        )
        var p = try XCTUnwrap(TrailStore.openForReading(path: path).verify().problems.first)
        XCTAssertEqual(p.seq, 2)
        XCTAssertTrue(p.description.contains("missing"))
        try FileManager.default.removeItem(atPath: dir)
        try setUpWithError()
        _ = try seeded(5)
        try tamper(
            "DELETE FROM change WHERE seq = 5; DELETE FROM event_summary WHERE seq = 5; DELETE FROM event WHERE seq = 5"
        )
        p = try XCTUnwrap(TrailStore.openForReading(path: path).verify().problems.first)
        XCTAssertEqual(p.seq, 5)
        XCTAssertTrue(p.description.contains("deleted from the end"), p.description)
    }

    func testDroppedTriggerIsReported() throws {
        _ = try seeded(2)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "DROP TRIGGER event_no_delete") }
        let report = try TrailStore.openForReading(path: path).verify()
        XCTAssertFalse(report.intact)
        XCTAssertTrue(report.problems.contains { $0.description.contains("event_no_delete is missing") })
    }

    func testEditedProjectionIsReported() throws {
        _ = try seeded(4)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "UPDATE change SET to_version = '9.9' WHERE seq = 3") }
        let p = try XCTUnwrap(TrailStore.openForReading(path: path).verify().problems.first)
        XCTAssertEqual(p.seq, 3)
        XCTAssertTrue(p.description.contains("projection"))
        try q.write {
            try $0.execute(sql: "UPDATE change SET to_version = '1.3' WHERE seq = 3; DELETE FROM change WHERE seq = 4")
        }
        XCTAssertEqual(try TrailStore.openForReading(path: path).verify().problems.first?.seq, 4)
    }

    /// One package in one environment: installed, upgraded, removed, installed again.
    func lifecycle() throws -> TrailStore {
        func change(_ action: Change.Action, _ from: String?, _ to: String?) -> [Change] {
            [
                Change(
                    name: "pkg", action: action, fromVersion: from, toVersion: to, artifact: nil, recordSHA256: nil,
                    installer: "pip", requested: true, requiredBy: [], startupHooks: [])
            ]
        }
        var other = Self.event(3, changes: change(.install, nil, "7.0"))
        other.environment.prefix = "/elsewhere"
        var sameEnvOtherHost = Self.event(6, changes: change(.install, nil, "9.0"))
        sameEnvOtherHost.actor.host = "build-2"
        let store = try TrailStore.openForWriting(path: path)
        try store.append([
            Self.event(1, changes: change(.install, nil, "1.0")),
            Self.event(2, changes: change(.upgrade, "1.0", "2.0")),
            other, Self.event(4, changes: change(.remove, "2.0", nil)),
            Self.event(5, changes: change(.install, nil, "2.1")), sameEnvOtherHost
        ])
        return store
    }

    /// A batch is encoded on another thread a chunk at a time; the chain it
    /// writes is the one appending the events one by one writes, skipped
    /// duplicates included.
    func testBatchAppendChainsAsSingleAppendsDo() throws {
        let events = (1...700).map { Self.event($0) }
        let batched = try TrailStore.openForWriting(path: path)
        try batched.append(Array(events[..<300]))
        XCTAssertEqual(try batched.append(events).count, 400)
        let single = try TrailStore.openForWriting(path: dir + "/single.db")
        for e in events { try single.append([e]) }
        let rows = "SELECT seq, id, prev_hash, hash, body FROM event ORDER BY seq"
        let a = try DatabaseQueue(path: path).read { try Row.fetchAll($0, sql: rows) }
        XCTAssertEqual(a.count, 700)
        XCTAssertEqual(a, try DatabaseQueue(path: dir + "/single.db").read { try Row.fetchAll($0, sql: rows) })
        XCTAssertTrue(try batched.verify().intact)
    }

    /// A batch lets the WAL grow to 256 MiB before copying it back; a
    /// recorder's one event keeps SQLite's default.
    func testOnlyBatchesDeferTheCheckpoint() throws {
        let store = try TrailStore.openForWriting(path: path)
        func interval() throws -> Int? {
            try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") }
        }
        try store.append((1...100).map { Self.event($0) })
        XCTAssertEqual(try interval(), 16_384)
        try store.append([Self.event(101)])
        XCTAssertEqual(try interval(), 1_000)
    }

    /// Every commit syncs the WAL (2 = FULL). GRDB's WAL set-up sets NORMAL
    /// after `prepareDatabase` runs, which synced only at checkpoints: an
    /// event committed while a reader kept the log open was not on disk
    /// when the recorder returned.
    func testEveryCommitIsSynced() throws {
        let store = try TrailStore.openForWriting(path: path)
        XCTAssertEqual(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
        XCTAssertEqual(try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }, 2)
        try store.append([Self.event(1)])
        XCTAssertEqual(try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }, 2)
    }

    /// The trigger refuses any row that does not extend the head, whoever writes it.
    func testInsertMustExtendTheHead() throws {
        let store = try seeded(3)
        let head = try store.head()
        let body = try XCTUnwrap(store.event(seq: 3)).body
        func insert(seq: Int64?, prev: [UInt8]) throws {
            try DatabaseQueue(path: path).write { db in
                try db.execute(
                    sql: "INSERT INTO event (seq, id, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)",
                    arguments: [seq, UUID().uuidString, Data(prev), Data(repeating: 7, count: 32), Data(body)])
            }
        }
        let tail = try XCTUnwrap(store.event(seq: 2)).hash
        for (seq, prev) in [(Int64(4), tail), (5, head.hash), (3, tail), (nil, head.hash), (1, Chain.genesis)]
            as [(Int64?, [UInt8])]
        {
            XCTAssertThrowsError(try insert(seq: seq, prev: prev), "seq \(String(describing: seq))") { e in
                XCTAssertEqual((e as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_TRIGGER, "\(e)")
                XCTAssertTrue(
                    (e as? DatabaseError)?.message?.contains("must extend the head of the chain") == true, "\(e)")
            }
        }
        XCTAssertNoThrow(
            try insert(seq: 4, prev: head.hash), "a row that extends the head passes; verify judges its hash")
        XCTAssertEqual(try TrailStore.openForReading(path: path).verify().problems.first?.seq, 4)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "DROP TRIGGER event_extends_head") }
        XCTAssertTrue(
            try TrailStore.openForReading(path: path).verify().problems.contains {
                $0.description.contains("event_extends_head is missing: inserts are no longer held to extend the head")
            })
    }

    func testReadingAMissingLogSaysWhatToDo() {
        XCTAssertThrowsError(try TrailStore.openForReading(path: dir + "/nope.db")) { e in
            XCTAssertEqual((e as? StoreError)?.kind, .missing, "\(e)")
        }
    }

    func testGarbageFileIsCorrupt() throws {
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TrailStore.openForWriting(path: path)) { e in
            XCTAssertEqual((e as? StoreError)?.kind, .corrupt, "\(e)")
        }
    }

    func testSpoolReplaysInOrderAndSetsTornLinesAside() throws {
        let spool = Spool(databasePath: path, stateDirectory: dir + "/state")
        for n in 1...3 { try spool.write(Self.event(n), reason: "locked", at: "2026-03-24T10:45:00.000Z") }
        // Line 2 edited by hand (its digest no longer matches), then a torn line.
        var text = try String(contentsOfFile: spool.primary, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let edited = lines[1].replacingOccurrences(of: "\"user\":\"", with: "\"user\":\"x")
        XCTAssertNotEqual(edited, String(lines[1]))
        text = [String(lines[0]), edited, String(lines[2])].joined(separator: "\n") + "\n{\"torn"
        try text.write(toFile: spool.primary, atomically: false, encoding: .utf8)
        // What waits, as the watcher reads it: intact lines only, in order, nothing changed.
        XCTAssertEqual(spool.pendingEvents().map(\.id), [Self.event(1).id, Self.event(3).id])
        XCTAssertEqual(try String(contentsOfFile: spool.primary, encoding: .utf8), text)
        let store = try TrailStore.openForWriting(path: path)
        let r = try spool.replay(into: store)
        XCTAssertEqual(r.appended, 2)
        XCTAssertEqual(r.rejected, 2)
        let chained = try store.allEvents().map(\.event)
        XCTAssertEqual(chained.map(\.id), [Self.event(1).id, Self.event(3).id])
        XCTAssertEqual(
            chained[0].notes.last,
            "spooled at 2026-03-24T10:45:00.000Z because the log could not be written (locked); "
                + "appended by a later call"
        )
        XCTAssertEqual(spool.pendingPaths, [])
        XCTAssertEqual(try String(contentsOfFile: spool.primary + ".rejected", encoding: .utf8), edited + "\n{\"torn\n")
        XCTAssertTrue(try store.verify().intact)
    }
}

extension TrailStoreTests {
    func testSpoolFallsBackToTheStateDirectoryWhenTheLogsDirectoryIsUnusable() throws {
        // The log's "directory" is a regular file: nothing can be created beside it.
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/afile"))
        let spool = Spool(databasePath: dir + "/afile/trail.db", stateDirectory: dir + "/state")
        XCTAssertEqual(
            try spool.write(Self.event(7), reason: "unwritable", at: "2026-03-24T10:45:00.000Z"), spool.fallback)
        XCTAssertTrue(spool.fallback.hasPrefix(dir + "/state/spool-"))
        XCTAssertEqual(spool.pendingPaths, [spool.fallback])
        let store = try TrailStore.openForWriting(path: path)
        XCTAssertEqual(try spool.replay(into: store).appended, 1)
        XCTAssertEqual(try store.allEvents().map(\.event.id), [Self.event(7).id])
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

extension TrailStore {
    func allEvents(_ filter: EventFilter = EventFilter()) throws -> [StoredEvent] {
        var out: [StoredEvent] = []
        try eachEvent(filter) { out.append($0) }
        return out
    }
}
