import Foundation
import GRDB
import PkgtrailCore

/// The append-only log in one SQLite file (WAL mode).
public final class TrailStore {
    public let path: String
    let queue: DatabaseQueue
    /// The file this store opened (device, inode).
    private let identity: (UInt64, UInt64)?

    init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
        identity = Self.identity(of: path)
    }

    private static func identity(of path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// Closes the connection now rather than at deinit: the last writer's
    /// close checkpoints the WAL into the file, so a copy of the file alone
    /// holds every event.
    public func close() throws {
        try queue.close()
    }

    /// False when the file at `path` is no longer the one this store opened
    /// (deleted, or replaced by another file, while the store was open):
    /// what was appended since went to a file no one will read again.
    public var isStillAtPath: Bool {
        guard let identity, let now = Self.identity(of: path) else { return false }
        return identity == now
    }

    /// Opens (creating if needed) the log for appending.
    ///
    /// Several processes opening a brand-new file at once can fail to switch it
    /// to WAL with "database is locked" whatever the busy timeout (docs/FACTS.md), so
    /// the open is retried with backoff.
    ///
    /// `whileUpgrading` is called every 100,000 SQLite steps while a log
    /// written by an older pkgtrail has its tables rebuilt (seconds per
    /// million events; its SQL gives no count to show, only that it works).
    public static func openForWriting(
        path: String, busyTimeout: TimeInterval = 10, whileUpgrading: (() -> Void)? = nil
    ) throws -> TrailStore {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(
                    atPath: dir, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.unwritable, "cannot create \(dir): \(error.localizedDescription)")
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            // Bodies run to a few KB: 16 KiB pages hold several per page where the
            // default 4 KiB holds one (a third of the file size). Only takes effect
            // on a new file, before it switches to WAL.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // WAL set here rather than by GRDB's `journalMode = .wal`, whose
            // set-up then sets synchronous to NORMAL (synced only at
            // checkpoints: an event committed while a reader kept the log open
            // was not on disk when the recorder returned) and stats the WAL
            // through Foundation's URL (~0.9 ms of CPU competing with the tool).
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                throw StoreError(
                    .unwritable, "\(path) cannot be switched to WAL mode (a file system without shared memory?)")
            }
            // An audit log must survive a power cut: FULL syncs the WAL on every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A batch append (spool replay, a bulk import) touches several
            // random-key indexes; with SQLite's 2 MiB default the pages bounce
            // through the OS cache. 256 MiB holds those of a 1M-event log
            // (10% faster batches than 64 MiB). Allocated only as used: a
            // shim's one-event append never grows it.
            try db.execute(sql: "PRAGMA cache_size = -262144")
        }
        // The whole open, retries included, waits no longer than one busy
        // timeout: a recorder must not hold up the user's pip for minutes
        // behind another writer (it spools instead).
        let deadline = Date().addingTimeInterval(busyTimeout)
        var delay: useconds_t = 2_000
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: config)
                // Reading which migrations ran needs no write lock (WAL), so an
                // up-to-date log opens even while another process writes.
                if try !queue.read(Schema.migrator.hasCompletedMigrations) {
                    try UpgradeTicks.during(queue, whileUpgrading) { try Schema.migrator.migrate(queue) }
                }
                return TrailStore(path: path, queue: queue)
            } catch let e as DatabaseError where isTransientOnOpen(e) {
                if Date() >= deadline { throw classify(e, path: path) }
                usleep(delay)
                delay = min(delay * 2, 200_000)
            } catch let e as DatabaseError {
                throw classify(e, path: path)
            }
        }
    }

    /// Errors a first open of a brand-new log can meet while another process
    /// is creating the same schema; a fresh connection a moment later sees it
    /// done. GRDB's migrator reads which migrations ran outside the
    /// migration's own transaction, so two first opens can both try to create
    /// the schema ("already exists"); and a connection whose schema check
    /// meets the creator's exclusive lock (the file still in rollback mode)
    /// keeps its stale empty schema and reports "no such table" (as an
    /// error or as a schema change). A migration that finds its work done
    /// fails only on recording itself again in grdb_migrations.
    static func isTransientOnOpen(_ e: DatabaseError) -> Bool {
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return true
        case .SQLITE_CONSTRAINT: return e.message?.contains("grdb_migrations") == true
        case .SQLITE_ERROR, .SQLITE_SCHEMA:
            let message = e.message ?? ""
            return message.contains("already exists") || message.hasPrefix("no such table")
        default: return false
        }
    }

    /// False for a log written by an older pkgtrail whose query tables have
    /// not been upgraded yet (the next open for writing upgrades them): only
    /// `verify`'s chain and trigger checks can read it as it is.
    public func hasCurrentSchema() throws -> Bool {
        try wrap { try queue.read(Schema.migrator.hasCompletedMigrations) }
    }

    /// Opens an existing log for reading; never creates or migrates it.
    public static func openForReading(path: String) throws -> TrailStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.missing, "no log at \(path): nothing has been recorded yet (or set PKGTRAIL_DB / --db)")
        }
        let config = readerConfiguration()
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            guard try queue.read({ db in try db.tableExists("event") }) else {
                throw StoreError(.corrupt, "\(path) is not a pkgtrail log (no event table)")
            }
            return TrailStore(path: path, queue: queue)
        } catch let e as DatabaseError {
            throw classify(e, path: path)
        }
    }

    /// Another read-only connection to the same log, for a second core's
    /// share of a large answer.
    func reader() throws -> DatabaseQueue { try DatabaseQueue(path: path, configuration: Self.readerConfiguration()) }

    private static func readerConfiguration() -> Configuration {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // A large answer (an audit's hundred thousand windows) looks up rows
            // all over the file, many on pages it has read before; with the
            // 2 MiB default each lookup read its 16 KiB page again. Allocated
            // only as used: a small query never grows it.
            try db.execute(sql: "PRAGMA cache_size = -262144")
            // Pages read in place from the mapped file rather than copied
            // through read(2) into that cache: an audit reads a hundred
            // thousand bodies all over a multi-gigabyte log. Read-only opens
            // only; SQLite caps the mapping at its compile-time limit.
            try db.execute(sql: "PRAGMA mmap_size = 68719476736")
        }
        return config
    }

    static func classify(_ e: DatabaseError, path: String) -> StoreError {
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError(.locked, "\(path) is locked by another process")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError(.unwritable, "cannot write \(path) (\(e.resultCode)): check its permissions")
        case .SQLITE_FULL, .SQLITE_IOERR:
            return StoreError(.unwritable, "cannot write \(path): \(e.resultCode) (disk full?)")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(
                .corrupt,
                "\(path) is damaged or not a SQLite file: move it aside and keep it for inspection (new events wait "
                    + "in the spool)"
            )
        default: return StoreError(.unreadable, "\(path): \(e.resultCode): \(e.message ?? "database error")")
        }
    }

    /// Starts the WAL now, for an append that comes later: a connection's
    /// first commit writes the WAL header and syncs it and the directory
    /// before its own frames (three syncs in all), so a recorder does that
    /// while the tool runs and its append after the tool syncs once. The
    /// commit rewrites `user_version` with the value it has: no content
    /// changes, one page goes through the WAL.
    public func startWAL() throws {
        try wrap {
            try queue.writeWithoutTransaction { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
        }
    }

    /// Appends events in order, in one IMMEDIATE transaction that reads the
    /// head and inserts, so concurrent writers produce one linear chain.
    /// Events whose id is already in the log are skipped (a spool replayed twice).
    @discardableResult
    public func append(_ events: [Event]) throws -> [StoredEvent] {
        let drafts = DraftPipeline(events)
        do {
            return try queue.writeWithoutTransaction { db in
                try Self.setCheckpointInterval(db, forBatchOf: events.count)
                var stored: [StoredEvent] = []
                try db.inTransaction(.immediate) {
                    var (seq, previous) = try Self.head(db)
                    // Keyed by a string: a dictionary keyed by a struct of
                    // ours costs its first use a runtime conformance lookup.
                    var envIDs: [String: Int64] = [:]
                    for (i, var event) in events.enumerated() {
                        if try Bool.fetchOne(
                            db.cachedStatement(sql: "SELECT 1 FROM event WHERE id = ?"), arguments: [event.id]) == true
                        {
                            continue
                        }
                        seq += 1
                        let sealed = Chain.seal(try drafts.draft(i), seq: seq, previous: previous)
                        event.seq = seq
                        event.prevHash = Hex.encode(previous)
                        try db.cachedStatement(
                            sql: "INSERT INTO event (seq, id, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)"
                        )
                        .execute(arguments: [seq, event.id, Data(previous), Data(sealed.hash), Data(sealed.body)])
                        let environment = EnvironmentKey(host: event.actor.host, prefix: event.environment.prefix)
                        let key = environment.host + "\u{0}" + environment.prefix
                        let environmentID = try envIDs[key] ?? EnvironmentTable.idAdding(db, environment)
                        envIDs[key] = environmentID
                        try Projection(event).insert(db, environmentID: environmentID)
                        stored.append(StoredEvent(event: event, hash: sealed.hash, body: sealed.body))
                        previous = sealed.hash
                    }
                    return .commit
                }
                return stored
            }
        } catch let e as DatabaseError {
            throw Self.classify(e, path: path)
        }
    }

    /// WAL pages a batch writer lets accumulate before its commit copies them
    /// back (SQLite's default is 1,000). A batch dirties many index pages,
    /// and consecutive batches mostly the same ones: copying them back every
    /// batch wrote each again and again (on a 1M-event log, a checkpoint per
    /// batch of 1,000 was a third of its time). With 16,384 (256 MiB of WAL,
    /// plus the batch that crosses it; then it restarts) each is copied once
    /// for many batches. A recorder's one event keeps the default, and every
    /// writer checkpoints on close.
    static let batchCheckpointPages = 16_384
    static let batchThreshold = 100

    static func setCheckpointInterval(_ db: Database, forBatchOf count: Int) throws {
        let pages = count >= batchThreshold ? batchCheckpointPages : 1_000
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)")
    }

    static func head(_ db: Database) throws -> (Int64, [UInt8]) {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1") else {
            return (0, Chain.genesis)
        }
        return (row["seq"], [UInt8](row["hash"] as Data))
    }

    public func head() throws -> (seq: Int64, hash: [UInt8]) {
        try queue.read { db in try Self.head(db) }
    }

    /// Events matching the filter, oldest first, read through the projection
    /// indexes one at a time from a cursor (a large log never sits in memory).
    public func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws {
        try eachRecord(filter) { _, row in try body(try Self.decode(row)) }
    }

    /// Matching rows as stored, not decoded: what JSON output and
    /// verifiable exports need.
    public func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws {
        try eachRecord(filter) { record, _ in try body(record) }
    }

    private func eachRecord(_ filter: EventFilter, _ body: (StoredRecord, Row) throws -> Void) throws {
        let (sql, args) = Self.query(filter)
        try wrap {
            try queue.read { db in
                let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
                while let row = try rows.next() {
                    try body(
                        StoredRecord(
                            seq: row["seq"], prevHash: [UInt8](row["prev_hash"] as Data),
                            hash: [UInt8](row["hash"] as Data), body: [UInt8](row["body"] as Data)), row)
                }
            }
        }
    }

    static func query(_ filter: EventFilter) -> (String, StatementArguments) {
        var summary = FilterSQL()
        summary.summary(filter)
        summary.environment(filter, column: "s.env")
        var sql = FilterSQL()
        // The summary filters run as a subquery on their own indexes; written
        // as a join, SQLite prefers walking the whole event table in seq order.
        sql.add(summary) { "e.seq IN (SELECT s.seq FROM event_summary s WHERE \($0))" }
        // Apart: a popular name's events are read from the name index alone,
        // not looked up one by one in the summaries.
        if let p = filter.package {
            sql.add("e.seq IN (SELECT seq FROM change WHERE name = ?)", [PackageName.normalize(p)])
        }
        if let m = filter.minSeq { sql.add("e.seq >= ?", [m]) }
        if let m = filter.maxSeq { sql.add("e.seq <= ?", [m]) }
        let select = "SELECT e.seq, e.prev_hash, e.hash, e.body FROM event e \(sql.whereSQL)"
        guard let limit = filter.limit else { return (select + " ORDER BY e.seq", sql.arguments) }
        // The newest `limit`, read from the end of the seq order, listed oldest first.
        return (
            "SELECT * FROM (\(select) ORDER BY e.seq DESC LIMIT ?) ORDER BY seq",
            StatementArguments(sql.values + [limit])
        )
    }

    /// The first and last seq of the events in a time range. Concurrent
    /// writers can append slightly out of time order, so an export takes every
    /// event between these two: a contiguous, verifiable slice of the chain.
    public func seqRange(since: String?, until: String?) throws -> ClosedRange<Int64>? {
        try wrap {
            try queue.read { db in
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT min(seq) AS lo, max(seq) AS hi FROM event_summary
                        WHERE (?1 IS NULL OR finished >= ?1) AND (?2 IS NULL OR started < ?2)
                        """, arguments: [since, until])
                guard let lo: Int64 = row?["lo"], let hi: Int64 = row?["hi"] else { return nil }
                return lo...hi
            }
        }
    }

    public func event(seq: Int64) throws -> StoredEvent? {
        try read(sql: "SELECT seq, hash, body FROM event WHERE seq = ?", arguments: [seq]).first
    }

    public func event(id: String) throws -> StoredEvent? {
        try read(sql: "SELECT seq, hash, body FROM event WHERE id = ?", arguments: [id.lowercased()]).first
    }

    func read(sql: String, arguments: StatementArguments) throws -> [StoredEvent] {
        try wrap { try queue.read { db in try Self.decodeRows(db, sql: sql, arguments: arguments) } }
    }

    /// Rows of (seq, hash, body), decoded.
    static func decodeRows(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEvent] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map(decode)
    }

    static func decode(_ row: Row) throws -> StoredEvent {
        try StoredRecord.decode(seq: row["seq"], hash: [UInt8](row["hash"] as Data), body: [UInt8](row["body"] as Data))
    }
}
