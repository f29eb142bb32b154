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
    static let triggers = ["event_no_update": noUpdateTrigger, "event_no_delete": noDeleteTrigger]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("1-chain-and-projections") { db in
            // The chained table. Bodies are canonical JSON bytes, stored verbatim
            // as BLOB so no layer can re-encode them. AUTOINCREMENT keeps
            // sqlite_sequence at the highest seq ever written, so a deleted tail
            // is still noticed by `verify`.
            try db.execute(sql: """
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
            try db.execute(sql: """
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
        return m
    }
}
