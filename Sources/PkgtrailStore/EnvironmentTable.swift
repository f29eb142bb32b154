import GRDB
import PkgtrailCore

/// The `environment` table (migration 4): each (host, prefix) the log has
/// seen, under a small integer id that summaries and changes carry instead
/// of the two strings. A projection like the others: rows appear with the
/// first event of an environment and are checked by `verify`.
enum EnvironmentTable {
    static func id(_ db: Database, _ key: EnvironmentKey) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM environment WHERE host = ? AND prefix = ?"),
            arguments: [key.host, key.prefix])
    }

    /// The id of `key`, added if the log has not seen it. Inside the append's
    /// transaction: an id is only known for good once that commits.
    static func idAdding(_ db: Database, _ key: EnvironmentKey) throws -> Int64 {
        if let id = try id(db, key) { return id }
        try db.cachedStatement(sql: "INSERT INTO environment (host, prefix) VALUES (?, ?)").execute(arguments: [
            key.host, key.prefix
        ])
        return db.lastInsertedRowID
    }

    static func all(_ db: Database) throws -> [(id: Int64, EnvironmentKey)] {
        try Row.fetchAll(db, sql: "SELECT id, host, prefix FROM environment ORDER BY id").map {
            ($0[0], EnvironmentKey(host: $0[1], prefix: $0[2]))
        }
    }
}
