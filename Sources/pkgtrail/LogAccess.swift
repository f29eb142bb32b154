import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// How a query command reaches the log: its path (from --db, else
/// PKGTRAIL_DB, else the default), the allowlisted environment, and the
/// open that appends anything spooled first.
struct LogAccess {
    let env: ProcessEnvironment
    let databasePath: String

    init(_ location: LogLocation) {
        env = ProcessEnvironment.current()
        databasePath = location.db ?? env.databasePath
    }

    var sink: EventSink { EventSink(databasePath: databasePath, stateDirectory: env.stateDirectory) }

    /// Opens the log for reading after appending anything waiting in the
    /// spool. A log written by an older pkgtrail has its query tables
    /// upgraded first (once), as the next recorded install would; where that
    /// cannot be done (a read-only copy, a writer holding the lock past the
    /// busy timeout), only `verify` (`olderSchemaAllowed`)
    /// reads it as it is: its chain and triggers need no upgrade.
    /// The log as the incident questions see it: any engine that answers
    /// `TrailQueries` (today the SQLite log, opened as `openLog` does).
    func openQueries() throws -> any TrailQueries {
        try openLog()
    }

    func openLog(olderSchemaAllowed: Bool = false) throws -> TrailStore {
        sink.flushSpool()
        do {
            var reader: TrailStore? = try TrailStore.openForReading(path: databasePath)
            if let current = reader, try current.hasCurrentSchema() { return current }
            // Closed before the upgrade: the writer's close then checkpoints
            // and removes the WAL, which a reader left open would keep.
            reader = nil
            Console.note(
                "upgrading the query tables of \(databasePath) for this pkgtrail (once; up to half a minute per million events)"
            )
            do {
                _ = try TrailStore.openForWriting(path: databasePath)
            } catch  where olderSchemaAllowed {
                return try TrailStore.openForReading(path: databasePath)
            } catch {
                throw PkgtrailError(
                    .unwritable,
                    "\(databasePath) was written by an older pkgtrail and cannot be upgraded here (\(error)): "
                        + "open it once with write access (`pkgtrail verify --db \(databasePath)`)")
            }
            return try TrailStore.openForReading(path: databasePath)
        } catch {
            throw fail("\(error)")
        }
    }
}
