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

    /// A window opened by a change (its `until_seq` is set by a later event).
    struct PresenceRow: Equatable {
        var sinceSeq: Int64, idx: Int64, host: String, prefix: String, name: String, version: String
    }

    var summary: Summary
    var changes: [ChangeRow]
    var presence: [PresenceRow]

    init(_ e: Event) {
        summary = Summary(seq: e.seq, kind: e.kind.rawValue, started: e.started, finished: e.finished,
                          user: e.actor.user, host: e.actor.host, tool: e.command?.tool, prefix: e.environment.prefix,
                          outcome: e.command?.outcome.rawValue, exitStatus: e.command?.exitStatus,
                          changeCount: Int64(e.changes.count), stateAfter: e.stateAfter, startupAfter: e.startupAfter)
        changes = e.changes.enumerated().map { i, c in
            ChangeRow(seq: e.seq, idx: Int64(i), name: c.name, action: c.action.rawValue, fromVersion: c.fromVersion,
                      toVersion: c.toVersion, sha256: c.artifact?.sha256, startupHook: !c.startupHooks.isEmpty)
        }
        presence = e.changes.enumerated().compactMap { i, c in
            guard c.action != .remove, let v = c.toVersion else { return nil }
            return PresenceRow(sinceSeq: e.seq, idx: Int64(i), host: e.actor.host, prefix: e.environment.prefix, name: c.name, version: v)
        }
    }

    func insert(_ db: Database) throws {
        let s = summary
        // Cached statements: a batch append runs these thousands of times.
        try db.cachedStatement(sql: """
            INSERT INTO event_summary (seq, kind, started, finished, user, host, tool, prefix, outcome, exit_status,
                                       change_count, state_after, startup_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [s.seq, s.kind, s.started, s.finished, s.user, s.host, s.tool, s.prefix, s.outcome,
                             s.exitStatus, s.changeCount, s.stateAfter, s.startupAfter])
        for c in changes {
            try db.cachedStatement(sql: """
                INSERT INTO change (seq, idx, name, action, from_version, to_version, sha256, startup_hook)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [c.seq, c.idx, c.name, c.action, c.fromVersion, c.toVersion, c.sha256, c.startupHook])
            // Every change ends the window its package had in this environment.
            try db.cachedStatement(sql: "UPDATE presence SET until_seq = ? WHERE host = ? AND prefix = ? AND name = ? AND until_seq IS NULL")
                .execute(arguments: [c.seq, s.host, s.prefix, c.name])
        }
        for p in presence {
            try db.cachedStatement(sql: "INSERT INTO presence (since_seq, idx, host, prefix, name, version) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [p.sinceSeq, p.idx, p.host, p.prefix, p.name, p.version])
        }
    }

    // Reading back: columns by position (the verifier reads millions of rows),
    // each SELECT list written once, beside its decoder.
    static let summaryColumns = "seq, kind, started, finished, user, host, tool, prefix, outcome, exit_status, change_count, state_after, startup_after"
    static func summary(from row: Row) -> Summary {
        Summary(seq: row[0], kind: row[1], started: row[2], finished: row[3], user: row[4], host: row[5], tool: row[6],
                prefix: row[7], outcome: row[8], exitStatus: row[9], changeCount: row[10], stateAfter: row[11],
                startupAfter: row[12])
    }

    static let presenceColumns = "since_seq, idx, host, prefix, name, version, until_seq"
    static func presence(from row: Row) -> (PresenceRow, until: Int64?) {
        (PresenceRow(sinceSeq: row[0], idx: row[1], host: row[2], prefix: row[3], name: row[4], version: row[5]), row[6])
    }

    static let changeColumns = "seq, idx, name, action, from_version, to_version, sha256, startup_hook"
    static func change(from row: Row) -> ChangeRow {
        ChangeRow(seq: row[0], idx: row[1], name: row[2], action: row[3], fromVersion: row[4], toVersion: row[5],
                  sha256: row[6], startupHook: row[7])
    }
}
