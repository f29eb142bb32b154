import NIOCore
import PkgtrailCore
import PkgtrailSystem
import PostgresNIO

/// The incident questions across every host's log in the central store:
/// the same answers as `TrailStore` gives for one log, read from the
/// projections the database computed on arrival (CentralProjections), with
/// the matching bodies decoded here exactly as the local engine decodes
/// them. Windows never cross logs: a version's window runs to the next
/// change of that package in the same environment of the same log.
/// Across logs, answers are in time order (when the event started).
public final class CentralQueries: FleetQueries {
    let db: CentralConnection

    public init(_ db: CentralConnection) { self.db = db }

    /// A stored event, by its log and seq.
    struct Key: Hashable {
        let log: Int64
        let seq: Int64
    }

    /// The versions of `name` anything ever moved to, tested once each (the
    /// `change_to` index alone answers).
    private func versions(of name: String, _ matches: (String) -> Bool) throws -> [String] {
        try db.run("SELECT DISTINCT to_version FROM pkgtrail.change WHERE name = \(name) AND to_version IS NOT NULL")
            .map { try $0.decode(String.self) }.filter(matches)
    }

    public func who(_ query: PackageQuery, _ filter: EventFilter) throws -> [ChangeRecord] {
        var rest = filter
        rest.package = nil
        var sql = CentralFilterSQL(rest)
        sql.clause("c.name = \(sql.bind(query.name))")
        if !query.versions.specifiers.isEmpty {
            // Each version the name ever had is tested here once, as the local engine does.
            let versions = try db.run(
                """
                SELECT to_version FROM pkgtrail.change WHERE name = \(query.name) AND to_version IS NOT NULL
                UNION SELECT from_version FROM pkgtrail.change WHERE name = \(query.name) AND from_version IS NOT NULL
                """
            ).map { try $0.decode(String.self) }.filter { query.matches($0) }
            guard !versions.isEmpty else { return [] }
            sql.clause("(c.to_version = ANY(\(sql.bind(versions))) OR c.from_version = ANY(\(sql.bind(versions))))")
        }
        // Across logs: by when the event started, then by log and position;
        // read newest first so a limit stops early, and listed oldest first.
        let rows = try db.run(
            sql.query(
                """
                SELECT c.log_id, c.seq, c.idx FROM pkgtrail.change c
                JOIN pkgtrail.event_summary s ON s.log_id = c.log_id AND s.seq = c.seq
                JOIN pkgtrail.environment v ON v.log_id = c.log_id AND v.env_id = c.env_id
                \(sql.whereSQL) ORDER BY s.started DESC, c.log_id DESC, c.seq DESC, c.idx DESC
                \(filter.limit.map { "LIMIT \($0)" } ?? "")
                """)
        ).map { try $0.decode((Int64, Int64, Int).self) }.reversed()
        let events = try decode(rows.map { Key(log: $0.0, seq: $0.1) })
        return try rows.map { log, seq, idx in
            guard let e = events[Key(log: log, seq: seq)], idx < e.event.changes.count else {
                throw Self.inconsistent(log, seq)
            }
            return ChangeRecord(e, index: idx)
        }
    }

    public func state(of key: EnvironmentKey, at: String?) throws -> [Presence] {
        let rows = try db.run(
            """
            WITH w AS (
                SELECT c.log_id, c.seq, c.name, c.action, c.to_version, s.finished, v.host, v.prefix,
                       lead(c.seq) OVER (PARTITION BY c.log_id, c.env_id, c.name ORDER BY c.seq) AS until_seq
                FROM pkgtrail.environment v
                JOIN pkgtrail.change c ON c.log_id = v.log_id AND c.env_id = v.env_id
                JOIN pkgtrail.event_summary s ON s.log_id = c.log_id AND s.seq = c.seq
                WHERE v.host = \(key.host) AND v.prefix = \(key.prefix))
            SELECT w.log_id, w.seq, w.name, w.to_version, w.until_seq, w.host, w.prefix FROM w
            WHERE w.action <> 'remove' AND w.to_version IS NOT NULL
              AND (CASE WHEN \(at)::text IS NULL THEN w.until_seq IS NULL
                        ELSE w.finished <= \(at)::text
                             AND (w.until_seq IS NULL OR (SELECT u.finished FROM pkgtrail.event_summary u
                                                          WHERE u.log_id = w.log_id AND u.seq = w.until_seq)
                                                         > \(at)::text) END)
            ORDER BY w.name, w.log_id
            """)
        return try presences(rows)
    }

    public func windows(
        names: [String], within filter: EventFilter, matches: @Sendable (_ name: String, _ version: String) -> Bool
    ) throws -> [Window] {
        var found: [Window] = []
        for name in names {
            var windows: [Window] = []
            let versions = try versions(of: name) { matches(name, $0) }
            guard !versions.isEmpty else { continue }
            for row in try db.run(
                """
                SELECT w.log_id, w.seq, w.to_version, w.until_seq, v.host, v.prefix, s.started,
                       (SELECT e.finished FROM pkgtrail.event_summary e
                        WHERE e.log_id = w.log_id AND e.seq = w.until_seq)
                FROM (SELECT c.log_id, c.seq, c.idx, c.env_id, c.to_version,
                             (SELECT n.seq FROM pkgtrail.change n
                              WHERE n.log_id = c.log_id AND n.env_id = c.env_id AND n.name = c.name AND n.seq > c.seq
                              ORDER BY n.seq LIMIT 1) AS until_seq
                      FROM pkgtrail.change c
                      WHERE c.name = \(name) AND c.to_version = ANY(\(versions)) AND c.action <> 'remove') w
                JOIN pkgtrail.environment v ON v.log_id = w.log_id AND v.env_id = w.env_id
                JOIN pkgtrail.event_summary s ON s.log_id = w.log_id AND s.seq = w.seq
                ORDER BY w.log_id, w.seq, w.idx
                """)
            {
                let (log, since, version, until, host, prefix, started, ended) = try row.decode(
                    (Int64, Int64, String, Int64?, String, String, String, String?).self)
                windows.append(
                    Window(
                        name: name, version: version, host: host, prefix: prefix, log: log, since: since, until: until,
                        started: started, ended: ended))
            }
            // Across logs: by when the arriving command started, then by host and place.
            let keys = windows.map { ($0.started, $0.host, $0.prefix, $0.since) }
            found += filter.select(keys.indices.sorted { keys[$0] < keys[$1] }.map { windows[$0] })
        }
        return found
    }

    public func presences(_ windows: [Window]) throws -> [Presence] {
        try presences(windows.map { ($0.log, $0.since, $0.name, $0.version, $0.until, $0.host, $0.prefix) })
    }

    /// Rows of (log_id, since_seq, name, version, until_seq, host, prefix),
    /// each with the events that opened and ended its window decoded.
    private func presences(_ rows: [PostgresRow]) throws -> [Presence] {
        try presences(try rows.map { try $0.decode((Int64, Int64, String, String, Int64?, String, String).self) })
    }

    private func presences(_ windows: [(Int64, Int64, String, String, Int64?, String, String)]) throws -> [Presence] {
        let events = try decode(
            windows.flatMap { w in [Key(log: w.0, seq: w.1)] + (w.4.map { [Key(log: w.0, seq: $0)] } ?? []) })
        return try windows.map { log, since, name, version, until, host, prefix in
            func record(_ seq: Int64) throws -> ChangeRecord {
                guard let e = events[Key(log: log, seq: seq)],
                    let i = e.event.changes.firstIndex(where: { $0.name == name })
                else { throw Self.inconsistent(log, seq) }
                return ChangeRecord(e, index: i)
            }
            return Presence(
                name: name, version: version, host: host, prefix: prefix, arrival: try record(since),
                departure: try until.map(record))
        }
    }

    static func inconsistent(_ log: Int64, _ seq: Int64) -> PkgtrailError {
        PkgtrailError(
            .corrupt,
            "event \(seq) of log \(log) does not hold the change its projection names: run `pkgtrail central verify`")
    }

    /// Decodes the named events, each once. An incident's answer can name
    /// thousands of events and parsing their bodies is most of its time, so
    /// each batch is decoded on another core while the next one is fetched.
    func decode(_ keys: [Key]) throws -> [Key: ChangeRecord.Shared] {
        let decoder = BackgroundDecoder<Key>(expected: keys.count)
        try stored(keys) { rows in decoder.add(rows) }
        return try decoder.results().mapValues(ChangeRecord.Shared.init)
    }

    /// The named events as stored (each once), 500 at a time.
    private func stored(_ keys: [Key], _ batch: ([(Key, StoredRecord)]) throws -> Void) throws {
        try eachStored(keys) { key, hash, body in
            (key, StoredRecord(seq: key.seq, prevHash: [], hash: Array(hash), body: Array(body)))
        } batch: {
            try batch($0)
        }
    }

    /// The rows of the named events (each once), 500 at a time, each made
    /// into `row` from its hash and body as received.
    private func eachStored<T>(
        _ keys: [Key], row: (Key, ByteBufferView, ByteBufferView) throws -> T, batch: ([T]) throws -> Void
    ) throws {
        let unique = Array(Set(keys))
        for start in stride(from: 0, to: unique.count, by: 500) {
            let part = unique[start..<min(start + 500, unique.count)]
            let logs = part.map(\.log)
            let seqs = part.map(\.seq)
            let rows = try db.run(
                """
                SELECT e.log_id, e.seq, e.hash, e.body FROM pkgtrail.event e
                JOIN unnest(\(logs)::bigint[], \(seqs)::bigint[]) AS k(log_id, seq)
                  ON e.log_id = k.log_id AND e.seq = k.seq
                """
            ).map { r in
                let (log, seq, hash, body) = try r.decode((Int64, Int64, ByteBuffer, ByteBuffer).self)
                return try row(Key(log: log, seq: seq), hash.readableBytesView, body.readableBytesView)
            }
            try batch(rows)
        }
    }

    public func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents {
        let keys = keys.map { Key(log: $0.log, seq: $0.seq) }
        var events = StoredEvents(events: keys.count, bodies: keys.count * 2048)
        try eachStored(keys) { key, hash, body in
            hash.withUnsafeBytes { hash in
                body.withUnsafeBytes { body in events.add(.init(log: key.log, seq: key.seq), hash: hash, body: body) }
            }
        } batch: { _ in
        }
        if let missing = keys.first(where: { events[.init(log: $0.log, seq: $0.seq)] == nil }) {
            throw Self.inconsistent(missing.log, missing.seq)
        }
        return events
    }

    public func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws {
        try eachStored(filter) { try body(try $0.decoded()) }
    }

    /// Matching events of every log, by start time, a page at a time
    /// (keyset pagination: a large fleet never sits in memory).
    public func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws {
        let select = "s.started, s.log_id, e.seq, e.prev_hash, e.hash, e.body"
        if let limit = filter.limit {
            // The newest `limit`, read from the newest end, listed oldest first.
            let rows = try db.run(
                CentralFilterSQL(filter).query(
                    select: select, orderBy: "s.started DESC, s.log_id DESC, s.seq DESC", limit: limit))
            for row in rows.reversed() { try body(try Self.stored(row).record) }
            return
        }
        var after: (String, Int64, Int64)?
        let page = 1_000
        while true {
            var sql = CentralFilterSQL(filter)
            if let after {
                sql.clause(
                    "(s.started, s.log_id, s.seq) > (\(sql.bind(after.0)), \(sql.bind(after.1)), \(sql.bind(after.2)))")
            }
            let rows = try db.run(sql.query(select: select, orderBy: "s.started, s.log_id, s.seq", limit: page))
            for row in rows {
                let (record, started, log) = try Self.stored(row)
                try body(record)
                after = (started, log, record.seq)
            }
            if rows.count < page { return }
        }
    }

    /// A row of started, log_id, seq, prev_hash, hash, body.
    private static func stored(_ row: PostgresRow) throws -> (record: StoredRecord, started: String, log: Int64) {
        let (started, log, seq, prev, hash, body) = try row.decode(
            (String, Int64, Int64, ByteBuffer, ByteBuffer, ByteBuffer).self)
        return (
            StoredRecord(
                seq: seq, prevHash: Array(prev.readableBytesView), hash: Array(hash.readableBytesView),
                body: Array(body.readableBytesView)), started, log
        )
    }

    /// Every package name, by a skip scan of the `change_to` index (PostgreSQL
    /// has none of its own: DISTINCT would read every change).
    public func packageNames() throws -> Set<String> {
        Set(
            try db.run(
                """
                WITH RECURSIVE n(name) AS (
                    SELECT min(name) FROM pkgtrail.change
                    UNION ALL
                    SELECT (SELECT min(c.name) FROM pkgtrail.change c WHERE c.name > n.name) FROM n
                    WHERE n.name IS NOT NULL)
                SELECT name FROM n WHERE name IS NOT NULL
                """
            ).map { try $0.decode(String.self) })
    }

    public func hasEnvironment(_ key: EnvironmentKey) throws -> Bool {
        try !db.run(
            "SELECT 1 FROM pkgtrail.environment WHERE host = \(key.host) AND prefix = \(key.prefix) LIMIT 1"
        ).isEmpty
    }

    public func someEnvironments(limit: Int) throws -> [EnvironmentKey] {
        try db.run("SELECT DISTINCT host, prefix FROM pkgtrail.environment ORDER BY host, prefix LIMIT \(limit)")
            .map { row in
                let (host, prefix) = try row.decode((String, String).self)
                return EnvironmentKey(host: host, prefix: prefix)
            }
    }

    public func hosts(prefix: String, limit: Int) throws -> [String] {
        try db.run(
            "SELECT DISTINCT host FROM pkgtrail.environment WHERE prefix = \(prefix) ORDER BY host LIMIT \(limit)"
        ).map { try $0.decode(String.self) }
    }

    public func chain(host: String?) throws -> any ChainReading {
        let logs = try db.run(
            """
            SELECT log_id, host FROM pkgtrail.host_log WHERE \(host)::text IS NULL OR host = \(host)
            ORDER BY host LIMIT 4
            """
        ).map { try $0.decode((Int64, String).self) }
        guard logs.count == 1 else {
            if let host { throw PkgtrailError(.invalidInput, "the central store holds no log pushed as \(host)") }
            throw PkgtrailError(
                .invalidInput,
                logs.isEmpty
                    ? "the central store holds no log yet"
                    : "the central store holds several host logs (\(logs.prefix(3).map(\.1).joined(separator: ", "))"
                        + (logs.count > 3 ? ", …" : "") + "): an export is one host's chain, name it with --host")
        }
        return CentralChain(db: db, log: logs[0].0)
    }
}
