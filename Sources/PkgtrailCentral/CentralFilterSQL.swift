import PkgtrailCore
import PostgresNIO

/// An `EventFilter` as a query on the central store's projections: the same
/// filters `log` and `export` apply to the local log (docs/SPEC.md §5),
/// each value sent as a parameter.
struct CentralFilterSQL {
    private var clauses: [String] = []
    private var binds = PostgresBindings()

    init(_ filter: EventFilter, log: Int64? = nil) {
        if let log { clause("s.log_id = \(bind(log))") }
        if let s = filter.since { clause("s.finished >= \(bind(s))") }
        if let u = filter.until { clause("s.started < \(bind(u))") }
        if let p = filter.package {
            clause(
                "EXISTS (SELECT 1 FROM pkgtrail.change c WHERE c.log_id = s.log_id AND c.seq = s.seq AND c.name = "
                    + "\(bind(PackageName.normalize(p))))")
        }
        if let u = filter.user { clause("s.username = \(bind(u))") }
        if let h = filter.host { clause("v.host = \(bind(h))") }
        if let p = filter.prefixes, !p.isEmpty { clause("v.prefix = ANY(\(bind(p)))") }
        if let t = filter.tool { clause("s.tool = \(bind(t))") }
        if let k = filter.kind { clause("s.kind = \(bind(k))") }
        if let m = filter.minSeq { clause("s.seq >= \(bind(m))") }
        if let m = filter.maxSeq { clause("s.seq <= \(bind(m))") }
    }

    /// A parameter's placeholder.
    mutating func bind<V: PostgresDynamicTypeEncodable>(_ value: V) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func clause(_ sql: String) { clauses.append(sql) }

    var whereSQL: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }

    /// `sql` with these clauses' parameters: it joins the summary `s` and
    /// the environment `v` the clauses name to its own tables, and places `whereSQL`.
    func query(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }

    func query(select: String, orderBy: String, limit: Int) -> PostgresQuery {
        PostgresQuery(
            unsafeSQL: """
                SELECT \(select) FROM pkgtrail.event_summary s
                JOIN pkgtrail.event e ON e.log_id = s.log_id AND e.seq = s.seq
                JOIN pkgtrail.environment v ON v.log_id = s.log_id AND v.env_id = s.env_id
                \(whereSQL) ORDER BY \(orderBy) LIMIT \(limit)
                """, binds: binds)
    }
}
