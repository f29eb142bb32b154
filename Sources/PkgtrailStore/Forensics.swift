import Foundation
import GRDB
import PkgtrailCore
import PkgtrailSystem

/// The SQLite engine's answers to `TrailQueries`.
extension TrailStore: TrailQueries {}

/// The forensic queries of docs/SPEC.md §5. Each reads the indexed projection
/// tables to find what matches, then decodes only the matching events.
extension TrailStore {
    /// Every change whose old or new version matches the query, of the
    /// events the filter selects (its `package` aside), oldest first. Read
    /// from the newest end of the name index, so `--limit` stops early.
    public func who(_ query: PackageQuery, _ filter: EventFilter) throws -> [ChangeRecord] {
        try wrap {
            try queue.read { db in
                var sql = FilterSQL()
                sql.add("c.name = ?", [query.name])
                if !query.versions.specifiers.isEmpty {
                    // Each version the name ever had is tested once; the
                    // index holds them (migration 5).
                    let versions = try String.fetchAll(
                        db,
                        sql: """
                            SELECT to_version FROM change WHERE name = ?1 AND to_version IS NOT NULL
                            UNION SELECT from_version FROM change WHERE name = ?1 AND from_version IS NOT NULL
                            """, arguments: [query.name]
                    ).filter { query.matches($0) }
                    guard !versions.isEmpty else { return [] }
                    let list = String(decoding: try CanonicalJSON.encode(.strings(versions)), as: UTF8.self)
                    sql.add(
                        "(c.to_version IN (SELECT value FROM json_each(?)) OR c.from_version IN "
                            + "(SELECT value FROM json_each(?)))", [list, list])
                }
                sql.environment(filter, column: "c.env")
                var summary = FilterSQL()
                summary.summary(filter)
                if let since = filter.since {
                    // No event before the first that finished since then can
                    // qualify: the name index skips them without a lookup each.
                    // Found through the time index (SQLite's own choice for
                    // min(seq) walks the table from its first row).
                    let first =
                        "SELECT min(seq) FROM event_summary INDEXED BY event_summary_finished WHERE finished >= ?"
                    guard let first = try Int64.fetchOne(db, sql: first, arguments: [since]) else { return [] }
                    sql.add("c.seq >= ?", [first])
                }
                let hits = try Self.newest(db, changes: sql, summaries: summary, limit: filter.limit)
                let events = try Self.decode(db, seqs: hits.map(\.seq))
                return hits.compactMap { hit in events[hit.seq].map { ChangeRecord($0, index: hit.idx) } }
            }
        }
    }

    /// The newest `limit` change rows the conditions select, oldest first.
    /// The name index gives the candidates newest first (a sort of its
    /// entries, no row read); the event summaries are asked about them a
    /// part at a time, so a limit stops early.
    private static func newest(
        _ db: Database, changes: FilterSQL, summaries: FilterSQL, limit: Int?
    ) throws -> [(seq: Int64, idx: Int)] {
        let candidates = try Row.fetchCursor(
            db, sql: "SELECT c.seq, c.idx FROM change c \(changes.whereSQL) ORDER BY c.seq DESC, c.idx DESC",
            arguments: changes.arguments)
        let limit = limit ?? Int.max
        var hits: [(seq: Int64, idx: Int)] = []
        var part: [(seq: Int64, idx: Int)] = []
        func admit() throws {
            defer { part.removeAll(keepingCapacity: true) }
            guard !summaries.clauses.isEmpty, !part.isEmpty else {
                hits += part
                return
            }
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let kept = Set(
                try Int64.fetchAll(
                    db, sql: "SELECT s.seq FROM event_summary s WHERE s.seq IN (\(marks)) AND \(summaries.conjunction)",
                    arguments: StatementArguments(part.map(\.seq) + summaries.values)))
            hits += part.filter { kept.contains($0.seq) }
        }
        while hits.count < limit, let row = try candidates.next() {
            part.append((row["seq"], row["idx"]))
            if part.count == 256 { try admit() }
        }
        try admit()
        return Array(hits.prefix(limit).reversed())
    }

    /// Every package name a change names (the `change_by_name` index alone answers).
    public func packageNames() throws -> Set<String> {
        // One seek per name, not a scan of every change's index entry (a
        // third of the time: 20,000 names among 2,000,000 changes).
        try wrap {
            try queue.read { db in
                Set(
                    try String.fetchAll(
                        db,
                        sql: """
                            WITH RECURSIVE n(name) AS (
                                SELECT min(name) FROM change
                                UNION ALL
                                SELECT (SELECT min(c.name) FROM change c WHERE c.name > n.name) FROM n
                                WHERE n.name IS NOT NULL)
                            SELECT name FROM n WHERE name IS NOT NULL
                            """))
            }
        }
    }

    /// Whether anything is recorded for `prefix` on `host`.
    public func hasEnvironment(_ key: EnvironmentKey) throws -> Bool {
        try wrap {
            try queue.read { db in
                try EnvironmentTable.id(db, key) != nil
            }
        }
    }

    /// Up to `limit` environments, from the projection alone.
    public func someEnvironments(limit: Int) throws -> [EnvironmentKey] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT host, prefix FROM environment ORDER BY id LIMIT ?", arguments: [limit]
                )
                .map { EnvironmentKey(host: $0["host"], prefix: $0["prefix"]) }
            }
        }
    }

    /// Up to `limit` hosts that recorded `prefix`.
    public func hosts(prefix: String, limit: Int) throws -> [String] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT host FROM environment WHERE prefix = ? LIMIT ?",
                    arguments: [prefix, limit]
                ).sorted()
            }
        }
    }

    // A presence window is a change that left a version installed, up to the
    // next change to the same package in the same environment: the next
    // entry of change(name, env, seq). Nothing stored is rewritten when one ends.

    /// What the environment held at `at` (an RFC 3339 time; nil = now):
    /// every window that opened by an event finished at or before `at` and
    /// did not end by then. Sorted by name. Read through the environment's
    /// events (event_summary(env, seq)) and their change rows.
    public func state(of key: EnvironmentKey, at: String? = nil) throws -> [Presence] {
        let timeClause =
            at == nil
            ? "w.until_seq IS NULL"
            : "w.finished <= :at AND (w.until_seq IS NULL OR (SELECT finished FROM event_summary WHERE seq = "
                + "w.until_seq) > :at)"
        return try presence(
            sql: """
                WITH w AS (
                    SELECT c.seq, c.name, c.action, c.to_version, s.finished,
                           lead(c.seq) OVER (PARTITION BY c.name ORDER BY c.seq) AS until_seq
                    FROM event_summary s JOIN change c ON c.seq = s.seq
                    WHERE s.env = (SELECT id FROM environment WHERE host = :host AND prefix = :prefix))
                SELECT w.seq AS since_seq, w.name, w.to_version AS version, w.until_seq, :host AS host, :prefix AS \
                prefix
                FROM w WHERE w.action != 'remove' AND w.to_version IS NOT NULL AND \(timeClause)
                ORDER BY w.name
                """, arguments: ["host": key.host, "prefix": key.prefix, "at": at])
    }

    public func presences(_ windows: [Window]) throws -> [Presence] {
        try wrap {
            try queue.read { db in
                try Self.presences(
                    db,
                    windows.map { w in
                        (
                            since: w.since, name: w.name, version: w.version, until: w.until, host: w.host,
                            prefix: w.prefix
                        )
                    })
            }
        }
    }

    private func presence(sql: String, arguments: StatementArguments) throws -> [Presence] {
        try wrap {
            try queue.read { db in
                try Self.presences(
                    db,
                    try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                        (
                            since: row["since_seq"], name: row["name"], version: row["version"],
                            until: row["until_seq"], host: row["host"], prefix: row["prefix"]
                        )
                    })
            }
        }
    }

    /// Windows with the events that opened and ended them decoded.
    private static func presences(
        _ db: Database,
        _ windows: [(since: Int64, name: String, version: String, until: Int64?, host: String, prefix: String)]
    ) throws -> [Presence] {
        let events = try decode(db, seqs: windows.flatMap { [$0.since] + ($0.until.map { [$0] } ?? []) })
        return try windows.map { w in
            func record(_ seq: Int64) throws -> ChangeRecord {
                guard let e = events[seq], let i = e.event.changes.firstIndex(where: { $0.name == w.name }) else {
                    throw StoreError(
                        .corrupt, "event \(seq) does not hold the change its projection names: run `pkgtrail verify`")
                }
                return ChangeRecord(e, index: i)
            }
            return Presence(
                name: w.name, version: w.version, host: w.host, prefix: w.prefix, arrival: try record(w.since),
                departure: try w.until.map(record))
        }
    }

    /// Decodes the named events (each once), each batch parsed on another
    /// core while the next is read; the records made from one event share it.
    static func decode(_ db: Database, seqs: [Int64]) throws -> [Int64: ChangeRecord.Shared] {
        let decoder = BackgroundDecoder<Int64>(expected: seqs.count)
        try stored(db, seqs: seqs) { rows in decoder.add(rows.map { ($0.seq, $0) }) }
        return try decoder.results().mapValues(ChangeRecord.Shared.init)
    }

    /// The named events as stored (each once), a batch at a time in seq order.
    static func stored(_ db: Database, seqs: [Int64], _ batch: ([StoredRecord]) throws -> Void) throws {
        var records: [StoredRecord] = []
        try SQLiteSteps.each(
            db, "SELECT seq, hash, body FROM event", seqs: seqs,
            row: { row in
                records.append(StoredRecord(seq: row.int64(0), prevHash: [], hash: row.bytes(1), body: row.bytes(2)))
            },
            afterEachBatch: {
                try batch(records)
                records.removeAll(keepingCapacity: true)
            })
    }

    public func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents {
        try wrap {
            try queue.read { db in
                var events = StoredEvents(events: keys.count, bodies: keys.count * 2048)
                try SQLiteSteps.each(
                    db, "SELECT seq, hash, body FROM event", seqs: keys.map(\.seq),
                    row: { row in
                        events.add(.init(log: 0, seq: row.int64(0)), hash: row.blob(1), body: row.blob(2))
                    })
                if let missing = keys.first(where: { events[.init(log: 0, seq: $0.seq)] == nil }) {
                    throw StoreError(
                        .corrupt, "event \(missing.seq) named by a projection is missing: run `pkgtrail verify`")
                }
                return events
            }
        }
    }
}

/// The local log is one chain, as an export reads it.
extension TrailStore: ChainReading {}
