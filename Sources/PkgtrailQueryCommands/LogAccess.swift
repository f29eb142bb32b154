import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// How a command reaches the log: its path (from --db, else PKGTRAIL_DB,
/// else the default), the allowlisted environment, and the open that
/// appends anything spooled first; for the query commands, the central
/// store instead when `--central`/`--fleet` says so.
public struct LogAccess {
    public let env: ProcessEnvironment
    public let databasePath: String
    let central: String??

    public init(_ location: LogLocation) { self.init(location, central: nil) }

    init(_ source: QuerySource) { self.init(source.location, central: source.centralChoice) }

    private init(_ location: LogLocation, central: String??) {
        env = ProcessEnvironment.current()
        databasePath = location.db ?? env.databasePath
        self.central = central
    }

    /// Whether the commands ask the central store rather than the local log.
    var readsCentral: Bool { central != nil }

    public var sink: EventSink { EventSink(databasePath: databasePath, stateDirectory: env.stateDirectory) }

    /// The log as the incident questions see it: any engine that answers
    /// `TrailQueries` (the local SQLite log, or the fleet's central store).
    /// `quiet`: the command prints `--json`, so no progress line (an upgrade's).
    func openQueries(quiet: Bool = false) throws -> any TrailQueries {
        if let central { return try FleetConnector.connect(central) }
        return try openLog(quiet: quiet)
    }

    /// One chained log, as an export reads it: the local log, or one host's
    /// log in the central store.
    func openChain(host: String?) throws -> any ChainReading {
        if let central {
            do { return try FleetConnector.connect(central).chain(host: host) } catch let e as PkgtrailError {
                throw fail("\(e)")
            }
        }
        if host != nil { throw ValidationError("--host picks a host's log in the central store: add --central URL") }
        return try openLog()
    }

    /// Opens the log for reading after appending anything waiting in the
    /// spool; an older log's query tables are upgraded first (see
    /// `TrailStore.openForQueries`).
    public func openLog(olderSchemaAllowed: Bool = false, quiet: Bool = false) throws -> TrailStore {
        sink.flushSpool()
        // Drawn only if an upgrade runs (and then only on a terminal).
        let progress = Progress("upgrading the query tables", unit: "", total: nil, silent: quiet)
        defer { progress.finish() }
        do {
            return try TrailStore.openForQueries(
                path: databasePath, olderSchemaAllowed: olderSchemaAllowed, whileUpgrading: progress.working)
        } catch {
            throw fail("\(error)")
        }
    }
}
