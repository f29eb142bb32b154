import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCommandLine
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

    /// The log as the incident questions see it: any engine that answers
    /// `TrailQueries` (today the SQLite log, opened as `openLog` does).
    func openQueries() throws -> any TrailQueries {
        try openLog()
    }

    /// Opens the log for reading after appending anything waiting in the
    /// spool; an older log's query tables are upgraded first (see
    /// `TrailStore.openForQueries`).
    func openLog(olderSchemaAllowed: Bool = false) throws -> TrailStore {
        sink.flushSpool()
        do {
            return try TrailStore.openForQueries(path: databasePath, olderSchemaAllowed: olderSchemaAllowed)
        } catch {
            throw fail("\(error)")
        }
    }
}
