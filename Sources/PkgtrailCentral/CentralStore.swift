import PkgtrailCore
import PostgresNIO

/// The central store's administration: creating or upgrading its schema.
public enum CentralStore {
    /// An arbitrary constant: the advisory lock every `central init` takes,
    /// so two of them never run the same migration at once.
    static let migrationLock: Int64 = 0x706B_7472_6169_6C31

    /// Runs every migration not yet applied; the versions applied now.
    @discardableResult
    public static func migrate(_ db: CentralConnection, upTo last: Int = migrationCount) throws -> [Int] {
        try db.transaction {
            try db.run("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try db.run("CREATE SCHEMA IF NOT EXISTS pkgtrail")
            try db.run(
                """
                CREATE TABLE IF NOT EXISTS pkgtrail.migration (
                    version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())
                """)
            let done = Set(
                try db.run("SELECT version FROM pkgtrail.migration").map { try $0.decode(Int.self) })
            var applied: [Int] = []
            for (i, statements) in CentralSchema.migrations.enumerated() where !done.contains(i + 1) && i < last {
                for sql in statements { try db.run(PostgresQuery(unsafeSQL: sql)) }
                try db.run("INSERT INTO pkgtrail.migration (version) VALUES (\(i + 1))")
                applied.append(i + 1)
            }
            return applied
        }
    }

    public static var migrationCount: Int { CentralSchema.migrations.count }

    /// The schema version the store is at.
    public static func version(_ db: CentralConnection) throws -> Int {
        try db.run("SELECT coalesce(max(version), 0) FROM pkgtrail.migration").first?.decode(Int.self) ?? 0
    }
}
