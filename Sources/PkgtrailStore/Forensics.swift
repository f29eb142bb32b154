import GRDB
import PkgtrailCore

/// The SQLite engine's answers to `TrailQueries`.
extension TrailStore: TrailQueries {}

/// The forensic queries of docs/SPEC.md §5. Each reads the indexed projection
/// tables to find what matches, then decodes only the matching events.
extension TrailStore {
    /// Every change whose old or new version matches the query, oldest first.
    public func who(_ query: PackageQuery) throws -> [ChangeRecord] {
        try wrap {
            try queue.read { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT seq, idx, from_version, to_version FROM change WHERE name = ? ORDER BY seq, idx",
                    arguments: [query.name])
                let hits = rows.filter { query.matches($0["from_version"]) || query.matches($0["to_version"]) }
                let events = try Self.decode(db, seqs: hits.map { $0["seq"] })
                return hits.compactMap { row in
                    events[row["seq"]].map { ChangeRecord(event: $0.event, hash: $0.hash, index: row["idx"]) }
                }
            }
        }
    }

    /// Every package name a change names (the `change_name` index alone answers).
    public func packageNames() throws -> Set<String> {
        try wrap { try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT name FROM change")) } }
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

    /// Every window in which some environment held a version of `name` that
    /// `matches` accepts, oldest first.
    public func exposure(name: String, matches: (String) -> Bool) throws -> [Presence] {
        var verdicts: [String: Bool] = [:]
        return try presence(
            sql: """
                SELECT c.seq AS since_seq, c.name, c.to_version AS version, v.host, v.prefix,
                       (SELECT min(n.seq) FROM change n WHERE n.name = c.name AND n.env = c.env AND n.seq > c.seq) AS \
                until_seq
                FROM change c JOIN environment v ON v.id = c.env
                WHERE c.name = :name AND c.action != 'remove' AND c.to_version IS NOT NULL
                ORDER BY c.seq, c.idx
                """, arguments: ["name": name]
        ) { v in
            if let known = verdicts[v] { return known }
            let m = matches(v)
            verdicts[v] = m
            return m
        }
    }

    /// Rows of (since_seq, name, version, until_seq, host, prefix), each
    /// with the events that opened and ended the window decoded.
    private func presence(
        sql: String, arguments: StatementArguments,
        keep: (String) -> Bool = { _ in true }
    ) throws -> [Presence] {
        try wrap {
            try queue.read { db in
                let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).filter { keep($0["version"]) }
                let events = try Self.decode(
                    db, seqs: rows.flatMap { [$0["since_seq"], $0["until_seq"]] as [Int64?] }.compactMap { $0 })
                return try rows.map { row in
                    func record(_ seq: Int64, _ name: String) throws -> ChangeRecord {
                        guard let e = events[seq], let i = e.event.changes.firstIndex(where: { $0.name == name }) else {
                            throw StoreError(
                                .corrupt,
                                "event \(seq) does not hold the change its projection names: run `pkgtrail verify`")
                        }
                        return ChangeRecord(event: e.event, hash: e.hash, index: i)
                    }
                    let name: String = row["name"]
                    return Presence(
                        name: name, version: row["version"], host: row["host"], prefix: row["prefix"],
                        arrival: try record(row["since_seq"], name),
                        departure: try (row["until_seq"] as Int64?).map { try record($0, name) })
                }
            }
        }
    }

    /// Decodes the named events (each once), in batches that stay under SQLite's variable limit.
    static func decode(_ db: Database, seqs: [Int64]) throws -> [Int64: StoredEvent] {
        var out: [Int64: StoredEvent] = [:]
        let unique = Array(Set(seqs)).sorted()
        for start in stride(from: 0, to: unique.count, by: 500) {
            let batch = Array(unique[start..<min(start + 500, unique.count)])
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ",")
            for e in try decodeRows(
                db, sql: "SELECT seq, hash, body FROM event WHERE seq IN (\(marks))",
                arguments: StatementArguments(batch))
            {
                out[e.event.seq] = e
            }
        }
        return out
    }
}

/// The local log is one chain, as an export reads it.
extension TrailStore: ChainReading {}
