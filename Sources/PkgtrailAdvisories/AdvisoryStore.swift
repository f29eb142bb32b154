import Foundation
import GRDB
import PkgtrailCore
import PkgtrailSystem

/// Known advisories, in their own SQLite file beside the log (never in the
/// chain: advisories are corrected, withdrawn and re-published; the log is
/// not). Each is kept as imported (its JSON, exact bytes) with the fields
/// the audit sorts and reports by, and indexed by the normalized names of
/// the PyPI packages it affects.
public final class AdvisoryStore {
    public let path: String
    let queue: DatabaseQueue

    init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("1-advisories") { db in
            try db.execute(
                sql: """
                    CREATE TABLE advisory (
                        id TEXT PRIMARY KEY,
                        modified TEXT NOT NULL,
                        published TEXT,
                        withdrawn TEXT,
                        summary TEXT,
                        severity TEXT,
                        aliases TEXT NOT NULL,      -- JSON array of strings
                        malicious INTEGER NOT NULL CHECK (malicious IN (0, 1)),
                        body BLOB NOT NULL,         -- the advisory's JSON as read
                        source TEXT NOT NULL,       -- the file (or zip member) it came from
                        imported TEXT NOT NULL      -- when this version of it was stored
                    );
                    CREATE INDEX advisory_imported ON advisory(imported);
                    CREATE TABLE affected (
                        advisory TEXT NOT NULL REFERENCES advisory(id),
                        name TEXT NOT NULL,
                        PRIMARY KEY (advisory, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX affected_name ON affected(name);
                    CREATE TABLE import_run (
                        at TEXT NOT NULL, source TEXT NOT NULL, read INTEGER NOT NULL, added INTEGER NOT NULL,
                        updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, withdrawn INTEGER NOT NULL,
                        other_ecosystems INTEGER NOT NULL
                    );
                    """)
        }
        m.registerMigration("2-deny") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deny (
                        name TEXT NOT NULL,
                        advisory TEXT NOT NULL REFERENCES advisory(id),
                        kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),  -- DenyKind
                        version TEXT NOT NULL,      -- kind 1: the version; else ''
                        ids TEXT NOT NULL,          -- ' ID ALIAS … ': selected by prefix
                        PRIMARY KEY (name, advisory, kind, version)
                    ) WITHOUT ROWID;
                    CREATE INDEX deny_advisory ON deny(advisory);
                    -- What a command records of the database it was denied from, without scanning it.
                    ALTER TABLE import_run ADD COLUMN newest_modified TEXT;
                    UPDATE import_run SET newest_modified = (SELECT max(modified) FROM advisory);
                    """)
            for row in try Row.fetchAll(db, sql: "SELECT body FROM advisory WHERE withdrawn IS NULL") {
                for a in try OSVAdvisory.parse([UInt8](row["body"] as Data)) { try indexDenial(a, db) }
            }
        }
        return m
    }

    /// How a `deny` row names versions.
    public enum DenyKind: Int, Sendable {
        /// Every version of the project.
        case every = 0
        /// The row's version.
        case version = 1
        /// Those the advisory's ranges describe (evaluated against the version at hand).
        case range = 2
    }

    /// The rows a deny-list reads for one advisory (none when withdrawn):
    /// built at import so that a command looks names up instead of parsing advisories.
    static func indexDenial(_ a: OSVAdvisory, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM deny WHERE advisory = ?", arguments: [a.id])
        guard a.meta.withdrawn == nil else { return }
        let ids = " " + ([a.id] + a.meta.aliases).joined(separator: " ") + " "
        func add(_ name: String, _ kind: DenyKind, _ version: String) throws {
            try db.execute(
                sql: "INSERT OR IGNORE INTO deny (name, advisory, kind, version, ids) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, a.id, kind.rawValue, version, ids])
        }
        for affected in a.affected {
            switch affected.denyForm {
            case .everyVersion: try add(affected.name, .every, "")
            case .versions(let versions):
                for v in versions { try add(affected.name, .version, v) }
                if !affected.ranges.isEmpty { try add(affected.name, .range, "") }
            case .ranges: try add(affected.name, .range, "")
            }
        }
    }

    /// Opens (creating) the store for importing.
    public static func openForWriting(path: String) throws -> AdvisoryStore {
        FileSystem.makeDirectories(FileSystem.dirname(path))
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try migrator.migrate(queue)
            return AdvisoryStore(path: path, queue: queue)
        } catch let e as DatabaseError {
            throw PkgtrailError(
                .unwritable, "\(path): \(e.message ?? "\(e.resultCode)"): check the file and its directory")
        }
    }

    /// Opens an existing store for reading; a missing one says how to fill it.
    public static func openForReading(path: String) throws -> AdvisoryStore {
        guard FileSystem.exists(path) else {
            throw PkgtrailError(
                .missing, "no advisories at \(path): import some first (`pkgtrail advisories import all.zip`)")
        }
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: path, configuration: config)
            guard try queue.read({ try $0.tableExists("advisory") }) else {
                throw PkgtrailError(.corrupt, "\(path) is not a pkgtrail advisory store")
            }
            return AdvisoryStore(path: path, queue: queue)
        } catch let e as DatabaseError {
            throw PkgtrailError(.unreadable, "\(path): \(e.message ?? "\(e.resultCode)")")
        }
    }

    /// What one import did.
    public struct ImportReport: Sendable {
        public var read = 0
        public var added = 0
        public var updated = 0
        public var unchanged = 0
        /// Stored now as withdrawn (new, or an update that withdrew it).
        public var withdrawn = 0
        public var otherEcosystems = 0
        /// Files that are not OSV advisories: name and reason (the rest is imported).
        public var rejected: [(String, String)] = []
    }

    /// Stores each advisory unless a copy as new or newer (by `modified`) is
    /// there already; one transaction per call.
    /// `progress`: documents stored so far (called after each).
    public func add(
        _ documents: [(source: String, bytes: [UInt8])], label: String, at now: String,
        progress: ((Int) -> Void)? = nil
    ) throws -> ImportReport {
        var report = ImportReport()
        try wrap {
            try queue.write { db in
                for (n, doc) in documents.enumerated() {
                    defer { progress?(n + 1) }
                    let advisories: [OSVAdvisory]
                    do { advisories = try OSVAdvisory.parse(doc.bytes) } catch {
                        report.rejected.append((doc.source, "\(error)"))
                        continue
                    }
                    for a in advisories {
                        report.read += 1
                        report.otherEcosystems += a.meta.otherEcosystems
                        try store(a, bytes: doc.bytes, count: advisories.count, source: doc.source, db, now, &report)
                    }
                }
                try db.execute(
                    sql: """
                        INSERT INTO import_run
                            (at, source, read, added, updated, unchanged, withdrawn, other_ecosystems, newest_modified)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT max(modified) FROM advisory))
                        """,
                    arguments: [
                        now, label, report.read, report.added, report.updated, report.unchanged, report.withdrawn,
                        report.otherEcosystems
                    ])
            }
        }
        return report
    }

    private func store(
        _ a: OSVAdvisory, bytes: [UInt8], count: Int, source: String, _ db: Database, _ now: String,
        _ report: inout ImportReport
    ) throws {
        let modified = a.meta.modified ?? ""
        let stored = try String.fetchOne(db, sql: "SELECT modified FROM advisory WHERE id = ?", arguments: [a.id])
        if let stored, stored >= modified {
            report.unchanged += 1
            return
        }
        // One advisory per row: an array file's entries are re-encoded one by one.
        let body = count == 1 ? bytes : try CanonicalJSON.encode(Self.document(of: a.id, in: bytes))
        try db.execute(sql: "DELETE FROM affected WHERE advisory = ?", arguments: [a.id])
        try db.execute(
            sql: """
                INSERT INTO advisory (id, modified, published, withdrawn, summary, severity, aliases, malicious, body,
                                      source, imported)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, published = excluded.published,
                    withdrawn = excluded.withdrawn, summary = excluded.summary, severity = excluded.severity,
                    aliases = excluded.aliases, malicious = excluded.malicious, body = excluded.body,
                    source = excluded.source, imported = excluded.imported
                """,
            arguments: [
                a.id, modified, a.meta.published, a.meta.withdrawn, a.meta.summary, a.meta.severity,
                String(decoding: try CanonicalJSON.encode(.strings(a.meta.aliases)), as: UTF8.self), a.isMalicious,
                Data(body), source, now
            ])
        for name in Set(a.affected.map(\.name)) {
            try db.execute(sql: "INSERT INTO affected (advisory, name) VALUES (?, ?)", arguments: [a.id, name])
        }
        try Self.indexDenial(a, db)
        if stored == nil { report.added += 1 } else { report.updated += 1 }
        if a.meta.withdrawn != nil { report.withdrawn += 1 }
    }

    /// The entry with `id` out of a file holding an array of advisories.
    static func document(of id: String, in bytes: [UInt8]) throws -> JSONValue {
        let root = try JSONParser.parse(bytes)
        guard let found = (root.arrayValue ?? [root]).first(where: { $0["id"]?.stringValue == id }) else {
            throw PkgtrailError(.invalidInput, "\(id) vanished from its own file")
        }
        return found
    }

    /// What `advisories status` shows.
    public struct Status: Sendable {
        public var advisories: Int
        public var withdrawn: Int
        public var malicious: Int
        public var names: Int
        public var newestModified: String?
        public var lastImport: (at: String, source: String, read: Int)?
    }

    public func status() throws -> Status {
        try wrap {
            try queue.read { db in
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS n, count(withdrawn) AS w, coalesce(sum(malicious), 0) AS m,
                               max(modified) AS newest, (SELECT count(DISTINCT name) FROM affected) AS names
                        FROM advisory
                        """)!
                let last = try Row.fetchOne(
                    db, sql: "SELECT at, source, read FROM import_run ORDER BY rowid DESC LIMIT 1")
                return Status(
                    advisories: row["n"], withdrawn: row["w"], malicious: row["m"], names: row["names"],
                    newestModified: row["newest"], lastImport: last.map { ($0["at"], $0["source"], $0["read"]) })
            }
        }
    }

    /// The advisories in force (not withdrawn) that name `name`, parsed;
    /// `since`: only those stored (added or changed) at or after it.
    public func advisories(for name: String, since: String? = nil) throws -> [OSVAdvisory] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.body FROM affected f JOIN advisory a ON a.id = f.advisory
                        WHERE f.name = ? AND a.withdrawn IS NULL AND (?2 IS NULL OR a.imported >= ?2) ORDER BY a.id
                        """, arguments: [name, since]
                ).flatMap { row in try OSVAdvisory.parse([UInt8](row["body"] as Data)) }
            }
        }
    }

    /// Whether `path` is a SQLite file (then an advisory store, or an error saying it is not one).
    public static func isStore(_ path: String) -> Bool {
        FileSystem.read(path, limit: 16) == Array("SQLite format 3\u{0}".utf8)
    }

    /// Every advisory in force (not withdrawn), parsed.
    public func inForce() throws -> [OSVAdvisory] {
        try wrap {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT body FROM advisory WHERE withdrawn IS NULL ORDER BY id")
                    .flatMap { row in try OSVAdvisory.parse([UInt8](row["body"] as Data)) }
            }
        }
    }

    /// The package names some advisory in force names (stored at or after `since`).
    public func affectedNames(since: String? = nil) throws -> [String] {
        try wrap {
            try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT f.name FROM affected f JOIN advisory a ON a.id = f.advisory
                        WHERE a.withdrawn IS NULL AND (?1 IS NULL OR a.imported >= ?1)
                        """, arguments: [since])
            }
        }
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError {
            throw PkgtrailError(.unreadable, "\(path): \(e.message ?? "\(e.resultCode)")")
        }
    }
}
