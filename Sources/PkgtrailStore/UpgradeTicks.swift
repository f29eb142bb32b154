import GRDB
import GRDBSQLite

/// SQLite's progress handler as a tick while a one-time upgrade runs: its
/// statements (a table rebuilt, an index created) report no rows done, but
/// the handler runs between virtual-machine steps, on the upgrading thread.
enum UpgradeTicks {
    /// Steps between ticks: a call and a clock read every 100,000 steps
    /// (about a millisecond of the upgrade's work), far under its noise.
    static let steps: Int32 = 100_000

    final class Box {
        let tick: () -> Void
        init(_ tick: @escaping () -> Void) { self.tick = tick }
    }

    static func during(_ queue: DatabaseQueue, _ tick: (() -> Void)?, _ work: () throws -> Void) throws {
        guard let tick else { return try work() }
        let box = Unmanaged.passRetained(Box(tick))
        defer { box.release() }
        try queue.inDatabase { db in
            sqlite3_progress_handler(
                db.sqliteConnection, steps,
                { context in
                    Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().tick()
                    return 0
                }, box.toOpaque())
        }
        defer { try? queue.inDatabase { db in sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) } }
        try work()
    }
}
