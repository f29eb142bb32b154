import GRDB
import PkgtrailCore

/// Per-environment reads: what the log says an environment holds now, and
/// which environments it knows. An environment is a prefix on a host (a log
/// can gather several machines, and two of them may use the same path).
extension TrailStore {
    public struct LastSeen: Sendable {
        public let seq: Int64
        public let finished: String
        public let stateAfter: String
        public let startupAfter: String
    }

    /// The newest event for `prefix` on `host`, from the projection index (no body decoded).
    public func lastSeen(host: String, prefix: String) throws -> LastSeen? {
        try wrap {
            try queue.read { db in
                guard let env = try EnvironmentTable.id(db, EnvironmentKey(host: host, prefix: prefix)) else {
                    return nil
                }
                return try Row.fetchOne(
                    db,
                    sql: """
                        SELECT seq, finished, state_after, startup_after FROM event_summary
                        WHERE env = ? ORDER BY seq DESC LIMIT 1
                        """, arguments: [env]
                ).map {
                    LastSeen(
                        seq: $0["seq"], finished: $0["finished"], stateAfter: $0["state_after"],
                        startupAfter: $0["startup_after"])
                }
            }
        }
    }

    /// The fold of every event for `prefix` on `host`.
    public func recordedState(host: String, prefix: String) throws -> RecordedState {
        var state = RecordedState()
        for e in try read(
            sql: """
                SELECT e.seq, e.hash, e.body FROM event e JOIN event_summary s ON s.seq = e.seq
                WHERE s.env = (SELECT id FROM environment WHERE host = ? AND prefix = ?) ORDER BY e.seq
                """, arguments: [host, prefix])
        {
            state.apply(e.event)
        }
        return state
    }

    /// Every environment the log knows on `host`, as its newest event describes it.
    public func knownEnvironments(host: String) throws -> [Environment] {
        try read(
            sql: """
                SELECT e.seq, e.hash, e.body FROM event e
                JOIN (SELECT (SELECT max(seq) FROM event_summary WHERE env = v.id) AS seq FROM environment v WHERE \
                v.host = ?) last
                  ON last.seq = e.seq
                ORDER BY e.seq
                """, arguments: [host]
        ).map(\.event.environment)
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError { throw Self.classify(e, path: path) }
    }
}
