import GRDB
import PkgtrailCore

/// The query tables are a pure function of the bodies: written on append,
/// recomputed by `verify`, and rebuildable from the chain alone.
struct Projection: Equatable {
    struct Summary: Equatable {
        var seq: Int64, kind: String, started: String, finished: String, user: String, host: String
        var tool: String?, prefix: String, outcome: String?, exitStatus: Int64?, changeCount: Int64
        var stateAfter: String, startupAfter: String
    }
    struct ChangeRow: Equatable {
        var seq: Int64, idx: Int64, name: String, action: String, fromVersion: String?, toVersion: String?
        var sha256: String?, startupHook: Bool
    }

    var summary: Summary
    var changes: [ChangeRow]

    init(_ e: Event) {
        summary = Summary(
            seq: e.seq, kind: e.kind.rawValue, started: e.started, finished: e.finished,
            user: e.actor.user, host: e.actor.host, tool: e.command?.tool, prefix: e.environment.prefix,
            outcome: e.command?.outcome.rawValue, exitStatus: e.command?.exitStatus,
            changeCount: Int64(e.changes.count), stateAfter: e.stateAfter, startupAfter: e.startupAfter)
        changes = e.changes.enumerated().map { i, c in
            ChangeRow(
                seq: e.seq, idx: Int64(i), name: c.name, action: c.action.rawValue, fromVersion: c.fromVersion,
                toVersion: c.toVersion, sha256: c.artifact?.sha256, startupHook: !c.startupHooks.isEmpty)
        }
    }

    /// Writes the rows; `environmentID` is the id of the event's (host, prefix) in the
    /// environment table (`EnvironmentTable`).
    func insert(_ db: Database, environmentID: Int64) throws {
        let s = summary
        // Cached statements: a batch append runs these thousands of times.
        try db.cachedStatement(
            sql: """
                INSERT INTO event_summary (seq, kind, started, finished, user, env, tool, outcome, exit_status,
                                           change_count, state_after, startup_after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            s.seq, s.kind, s.started, s.finished, s.user, environmentID, s.tool, s.outcome,
            s.exitStatus, s.changeCount, s.stateAfter, s.startupAfter
        ])
        for c in changes {
            try db.cachedStatement(
                sql: """
                    INSERT INTO change (seq, idx, env, name, action, from_version, to_version, sha256, startup_hook)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                c.seq, c.idx, environmentID, c.name, c.action, c.fromVersion, c.toVersion, c.sha256, c.startupHook
            ])
        }
    }

    // Reading back: columns by position (the verifier reads millions of rows),
    // each SELECT list written once, beside its decoder. A summary's and a
    // change's environment is read as its id (column 5 and 2); the verifier
    // resolves it through the environment table.
    static let summaryColumns =
        "seq, kind, started, finished, user, env, tool, outcome, exit_status, change_count, state_after, startup_after"
    static func summary(from row: Row, in key: EnvironmentKey) -> Summary {
        Summary(
            seq: row[0], kind: row[1], started: row[2], finished: row[3], user: row[4], host: key.host, tool: row[6],
            prefix: key.prefix, outcome: row[7], exitStatus: row[8], changeCount: row[9], stateAfter: row[10],
            startupAfter: row[11])
    }

    static let changeColumns = "seq, idx, env, name, action, from_version, to_version, sha256, startup_hook"
    static func change(from row: Row) -> (ChangeRow, environmentID: Int64) {
        (
            ChangeRow(
                seq: row[0], idx: row[1], name: row[3], action: row[4], fromVersion: row[5], toVersion: row[6],
                sha256: row[7], startupHook: row[8]), row[2]
        )
    }
}
