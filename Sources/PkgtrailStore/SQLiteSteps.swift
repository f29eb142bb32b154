import GRDB
import GRDBSQLite

/// A prepared statement's rows stepped through SQLite's C API: for the loops
/// that read a hundred thousand rows (an audit's windows, their times and
/// their bodies), where a GRDB `Row` and its conversions cost more than
/// SQLite's own read of the row.
struct SQLiteSteps {
    let statement: OpaquePointer

    static func each(_ statement: Statement, _ arguments: StatementArguments, _ row: (SQLiteSteps) throws -> Void)
        throws
    {
        try statement.setArguments(arguments)
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        while true {
            let code = sqlite3_step(s)
            switch code {
            case SQLITE_ROW: try row(SQLiteSteps(statement: s))
            case SQLITE_DONE: return
            default:
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))),
                    sql: statement.sql)
            }
        }
    }

    /// The rows `select` gives for each distinct seq (`select`: a query
    /// whose table has a `seq` column, without a WHERE), asked in seq order
    /// 500 at a time (under SQLite's variable limit; each page read once);
    /// `afterEachBatch` runs after each batch's rows.
    static func each(
        _ db: Database, _ select: String, seqs: [Int64], row: (SQLiteSteps) throws -> Void,
        afterEachBatch: () throws -> Void = {}
    ) throws {
        let unique = Array(Set(seqs)).sorted()
        for start in stride(from: 0, to: unique.count, by: 500) {
            let part = Array(unique[start..<min(start + 500, unique.count)])
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let statement = try db.cachedStatement(sql: "\(select) WHERE seq IN (\(marks)) ORDER BY seq")
            try each(statement, StatementArguments(part), row)
            try afterEachBatch()
        }
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// The column's text (nil: NULL).
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, column) else { return nil }
        return String(
            decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    /// Whether the column holds exactly this text.
    func text(_ column: Int32, equals word: StaticString) -> Bool {
        guard let p = sqlite3_column_text(statement, column) else { return false }
        let n = Int(sqlite3_column_bytes(statement, column))
        return n == word.utf8CodeUnitCount
            && word.withUTF8Buffer { UnsafeBufferPointer(start: p, count: n).elementsEqual($0) }
    }

    /// The column's bytes where SQLite holds them: valid until the next step.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let n = Int(sqlite3_column_bytes(statement, column))
        guard n > 0, let p = sqlite3_column_blob(statement, column) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// The column's bytes, copied once (a NULL or empty blob: none).
    func bytes(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(statement, column))
        guard n > 0, let p = sqlite3_column_blob(statement, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }
}
