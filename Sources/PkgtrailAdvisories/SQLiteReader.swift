import GRDBSQLite
import PkgtrailCore

/// A read-only SQLite connection on the C API, for the lookups a recorded
/// command makes before its tool runs: GRDB's `DatabaseQueue` costs about
/// 0.8 ms to open (queues, configuration, functions), which alone would
/// spend half the policy decision's 2 ms budget; this costs a tenth of it.
/// Writing, migrating and everything else go through GRDB.
final class SQLiteReader {
    let path: String
    private var db: OpaquePointer?

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK else {
            defer { sqlite3_close(db) }
            throw PkgtrailError(.unreadable, "\(path): \(String(cString: sqlite3_errmsg(db)))")
        }
        // An import commits while commands read (WAL): a reader waits for no one, but be safe on other journals.
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close(db) }

    /// A failed statement: SQLite's own message (a missing table names it).
    struct Failure: Error {
        let message: String
    }

    /// Each row's columns as text (NULL as nil), `arguments` bound to `?1`, `?2`…
    func rows(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        for (i, a) in arguments.enumerated() {
            // SQLITE_TRANSIENT: SQLite copies the text.
            sqlite3_bind_text(statement, Int32(i + 1), a, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
        var out: [[String?]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                out.append(
                    (0..<sqlite3_column_count(statement)).map { c in
                        sqlite3_column_text(statement, c).map { String(cString: $0) }
                    })
            case SQLITE_DONE: return out
            default: throw Failure(message: String(cString: sqlite3_errmsg(db)))
            }
        }
    }
}
