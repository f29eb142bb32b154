import GRDB

/// The database schema. Migrations are literal SQL, numbered, and never
/// edited once shipped: add a new one instead (GRDB's Migrations.md).
enum Schema {
    /// The two triggers that make `event` append-only. `verify` compares the
    /// stored trigger SQL against these strings, so they are written once, here.
    static let noUpdateTrigger = """
        CREATE TRIGGER event_no_update BEFORE UPDATE ON event
        BEGIN SELECT RAISE(ABORT, 'pkgtrail: the event log is append-only'); END
        """
    static let noDeleteTrigger = """
        CREATE TRIGGER event_no_delete BEFORE DELETE ON event
        BEGIN SELECT RAISE(ABORT, 'pkgtrail: the event log is append-only'); END
        """
    /// Since migration 3: an insert must extend the head (the next seq, the
    /// head's hash as prev_hash), which no UNIQUE column could say.
    static let extendsHeadTrigger = """
        CREATE TRIGGER event_extends_head BEFORE INSERT ON event
        WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM event)
          OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM event WHERE seq = NEW.seq - 1), zeroblob(32))
        BEGIN SELECT RAISE(ABORT, 'pkgtrail: an event must extend the head of the chain'); END
        """

    /// The triggers `verify` expects on the chained table. A log still in
    /// migration 1's shape (its hash columns UNIQUE: written by an older
    /// pkgtrail, or a copy read-only to us) has the first two only.
    static func triggers(_ db: Database) throws -> [String: Trigger] {
        let appendOnly = "the table is no longer append-only"
        var t = [
            "event_no_update": Trigger(sql: noUpdateTrigger, guards: appendOnly),
            "event_no_delete": Trigger(sql: noDeleteTrigger, guards: appendOnly)
        ]
        if try !hasUniqueHashColumns(db) {
            t["event_extends_head"] = Trigger(
                sql: extendsHeadTrigger, guards: "inserts are no longer held to extend the head")
        }
        return t
    }

    struct Trigger {
        let sql: String
        /// What is lost without it, as verify says.
        let guards: String
    }

    static func hasUniqueHashColumns(_ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT count(*) > 0 FROM pragma_index_list('event') l, pragma_index_info(l.name) i
                WHERE l."unique" AND i.name = 'hash'
                """) ?? false
    }

    /// Whether the projections have migration 4's shape (environment ids).
    static func hasEnvironmentIDs(_ db: Database) throws -> Bool {
        try migrator.appliedIdentifiers(db).contains(environmentIDs)
    }
    static let environmentIDs = "4-environment-ids"

    static var migrator: DatabaseMigrator {
        var m = Migrations()
        m.registerMigration("1-chain-and-projections") { db in
            // The chained table. Bodies are canonical JSON bytes, stored verbatim
            // as BLOB so no layer can re-encode them. AUTOINCREMENT keeps
            // sqlite_sequence at the highest seq ever written, so a deleted tail
            // is still noticed by `verify`.
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT CHECK (seq >= 1),
                        id TEXT NOT NULL UNIQUE,
                        prev_hash BLOB NOT NULL UNIQUE CHECK (length(prev_hash) = 32),
                        hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
                        body BLOB NOT NULL
                    );
                    \(noUpdateTrigger);
                    \(noDeleteTrigger);

                    -- Projections: derived from the bodies, rebuilt and checked by verify.
                    CREATE TABLE event_summary (
                        seq INTEGER PRIMARY KEY REFERENCES event(seq),
                        kind TEXT NOT NULL,
                        started TEXT NOT NULL,
                        finished TEXT NOT NULL,
                        user TEXT NOT NULL,
                        host TEXT NOT NULL,
                        tool TEXT,
                        prefix TEXT NOT NULL,
                        outcome TEXT,
                        exit_status INTEGER,
                        change_count INTEGER NOT NULL,
                        state_after TEXT NOT NULL,
                        startup_after TEXT NOT NULL
                    );
                    CREATE INDEX event_summary_finished ON event_summary(finished);
                    CREATE INDEX event_summary_prefix ON event_summary(prefix, seq);

                    CREATE TABLE change (
                        seq INTEGER NOT NULL REFERENCES event(seq),
                        idx INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        action TEXT NOT NULL CHECK (action IN ('install','upgrade','downgrade','reinstall','remove')),
                        from_version TEXT,
                        to_version TEXT,
                        sha256 TEXT,
                        startup_hook INTEGER NOT NULL CHECK (startup_hook IN (0, 1)),
                        PRIMARY KEY (seq, idx)
                    ) WITHOUT ROWID;
                    CREATE INDEX change_name ON change(name, seq);
                    """)
        }
        m.registerMigration("2-presence-and-query-indexes") { db in
            // Presence windows: each version an environment (host + prefix) held, from the event
            // that brought it (since_seq) to the one that replaced or removed it
            // (until_seq, NULL while it is still there). A projection like the
            // others: the fold of the change rows, rebuilt here from them and
            // checked by verify. `who`, `state --at` and `exposure` read it.
            try db.execute(
                sql: """
                    CREATE TABLE presence (
                        since_seq INTEGER NOT NULL,
                        idx INTEGER NOT NULL,
                        host TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        name TEXT NOT NULL,
                        version TEXT NOT NULL,
                        until_seq INTEGER,
                        PRIMARY KEY (since_seq, idx),
                        FOREIGN KEY (since_seq, idx) REFERENCES change(seq, idx)
                    ) WITHOUT ROWID;
                    INSERT INTO presence (since_seq, idx, host, prefix, name, version, until_seq)
                        SELECT seq, idx, host, prefix, name, to_version, next_seq FROM (
                            SELECT c.seq, c.idx, s.host, s.prefix, c.name, c.action, c.to_version,
                                   lead(c.seq) OVER (PARTITION BY s.host, s.prefix, c.name ORDER BY c.seq) AS next_seq
                            FROM change c JOIN event_summary s ON s.seq = c.seq)
                        WHERE action != 'remove' AND to_version IS NOT NULL;
                    CREATE INDEX presence_env ON presence(host, prefix, name, until_seq);
                    CREATE INDEX event_summary_host ON event_summary(host, prefix, seq);
                    CREATE INDEX event_summary_user ON event_summary(user, seq);
                    """)
        }
        m.registerMigration("3-chain-linked-by-trigger") { db in
            // Migration 1's UNIQUE prev_hash and hash columns were two random-key
            // indexes on every append (a third of the pages a batch dirtied on a
            // 1M-event log) and said less than the chain needs; a trigger now
            // refuses any insert that does not extend the head. SQLite cannot
            // drop a UNIQUE constraint, so the table is rebuilt, rows and seqs
            // verbatim; sqlite_sequence keeps its high-water mark, so a tail
            // deleted before the upgrade is still reported by verify.
            // Another first open may have just run it (see TrailStore.isTransientOnOpen).
            guard try hasUniqueHashColumns(db) else { return }
            let highWater = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event'")
            try db.execute(
                sql: """
                    CREATE TABLE event_linked (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT CHECK (seq >= 1),
                        id TEXT NOT NULL UNIQUE,
                        prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
                        hash BLOB NOT NULL CHECK (length(hash) = 32),
                        body BLOB NOT NULL
                    );
                    INSERT INTO event_linked (seq, id, prev_hash, hash, body)
                        SELECT seq, id, prev_hash, hash, body FROM event ORDER BY seq;
                    DROP TABLE event;
                    ALTER TABLE event_linked RENAME TO event;
                    \(noUpdateTrigger);
                    \(noDeleteTrigger);
                    \(extendsHeadTrigger);
                    """)
            if let highWater {
                try db.execute(
                    sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'event'", arguments: [highWater])
            }
        }
        m.registerMigration(environmentIDs) { db in
            // A batch appended to a large log rewrote most pages of every
            // random-key index it touched, and the widest were keyed by host
            // and prefix strings: event_summary twice, presence twice (its
            // window rows rewritten when closed). An environment is now a
            // small integer; summaries and changes carry it, and the change
            // table's one index, (name, env, seq), replaces the presence
            // table: a window is a change and the next change to the same
            // package in the same environment (the next entry of that
            // index), so nothing already written is rewritten by an append.
            // What one environment holds is read through its events
            // (event_summary(env, seq)), a few hundred rows.
            // Debian builds SQLite with secure_delete on, which would zero
            // every page of the dropped tables through the WAL (5 GB of it for
            // a 1M-event log); what they held is in the bodies, which stay.
            let secureDelete = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = 0")
            defer { try? db.execute(sql: "PRAGMA secure_delete = \(secureDelete)") }
            try db.execute(
                sql: """
                    CREATE TABLE environment (
                        id INTEGER PRIMARY KEY,
                        host TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        UNIQUE (host, prefix)
                    );
                    INSERT INTO environment (host, prefix)
                        SELECT host, prefix FROM event_summary GROUP BY host, prefix ORDER BY min(seq);
                    CREATE INDEX environment_prefix ON environment(prefix);

                    CREATE TABLE event_summary_env (
                        seq INTEGER PRIMARY KEY REFERENCES event(seq),
                        kind TEXT NOT NULL,
                        started TEXT NOT NULL,
                        finished TEXT NOT NULL,
                        user TEXT NOT NULL,
                        env INTEGER NOT NULL REFERENCES environment(id),
                        tool TEXT,
                        outcome TEXT,
                        exit_status INTEGER,
                        change_count INTEGER NOT NULL,
                        state_after TEXT NOT NULL,
                        startup_after TEXT NOT NULL
                    );
                    INSERT INTO event_summary_env
                        SELECT s.seq, s.kind, s.started, s.finished, s.user, e.id, s.tool, s.outcome, s.exit_status,
                               s.change_count, s.state_after, s.startup_after
                        FROM event_summary s JOIN environment e ON e.host = s.host AND e.prefix = s.prefix ORDER BY \
                    s.seq;

                    CREATE TABLE change_env (
                        seq INTEGER NOT NULL REFERENCES event(seq),
                        idx INTEGER NOT NULL,
                        env INTEGER NOT NULL REFERENCES environment(id),
                        name TEXT NOT NULL,
                        action TEXT NOT NULL CHECK (action IN ('install','upgrade','downgrade','reinstall','remove')),
                        from_version TEXT,
                        to_version TEXT,
                        sha256 TEXT,
                        startup_hook INTEGER NOT NULL CHECK (startup_hook IN (0, 1)),
                        PRIMARY KEY (seq, idx)
                    ) WITHOUT ROWID;
                    INSERT INTO change_env
                        SELECT c.seq, c.idx, s.env, c.name, c.action, c.from_version, c.to_version, c.sha256, \
                    c.startup_hook
                        FROM change c JOIN event_summary_env s ON s.seq = c.seq ORDER BY c.seq, c.idx;

                    DROP TABLE presence;
                    DROP TABLE change;
                    DROP TABLE event_summary;
                    ALTER TABLE event_summary_env RENAME TO event_summary;
                    ALTER TABLE change_env RENAME TO change;
                    CREATE INDEX event_summary_finished ON event_summary(finished);
                    CREATE INDEX event_summary_env ON event_summary(env, seq);
                    CREATE INDEX event_summary_user ON event_summary(user, seq);
                    CREATE INDEX change_name ON change(name, env, seq);
                    """)
        }
        m.registerMigration("5-change-index-covers-versions") { db in
            // An audit asks, for each of hundreds of advised names, which
            // versions the log ever installed and where; `who`, which changes
            // of a name match. (name, env, seq) held neither version, so each
            // entry cost a lookup of its change row, a 16 KiB page read for
            // every change of every name asked about (2 s of a 1M-event
            // log's audit). The same index with the action and versions
            // appended answers from its own pages; still one index per change.
            let secureDelete = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = 0")
            defer { try? db.execute(sql: "PRAGMA secure_delete = \(secureDelete)") }
            try db.execute(
                sql: """
                    CREATE INDEX change_by_name ON change(name, env, seq, action, to_version, from_version);
                    DROP INDEX change_name;
                    """)
        }
        return m.migrator
    }

    /// GRDB reads which migrations ran before taking the write lock, then
    /// runs each pending one in its own transaction. A first open racing
    /// another could so run a migration the other has just run, and whose
    /// tables a later one has since replaced (migration 2 after 4 dropped
    /// presence). Each migration first looks again, under the lock; finding
    /// itself done, it does nothing, and recording it again fails on
    /// grdb_migrations' key, which the open retries (TrailStore.isTransientOnOpen).
    struct Migrations {
        var migrator = DatabaseMigrator()

        mutating func registerMigration(_ identifier: String, _ body: @escaping @Sendable (Database) throws -> Void) {
            migrator.registerMigration(identifier) { db in
                guard try !Schema.migrator.appliedIdentifiers(db).contains(identifier) else { return }
                try body(db)
            }
        }
    }
}
