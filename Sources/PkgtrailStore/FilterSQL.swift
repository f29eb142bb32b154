import GRDB
import PkgtrailCore

/// An `EventFilter` as conditions on the local log's projections, each
/// value a parameter, in the order the SQL names them (docs/SPEC.md §5).
/// The central store's twin is `CentralFilterSQL`.
struct FilterSQL {
    private(set) var clauses: [String] = []
    private(set) var values: [(any DatabaseValueConvertible)?] = []

    mutating func add(_ sql: String, _ parameters: [(any DatabaseValueConvertible)?] = []) {
        clauses.append(sql)
        values += parameters
    }

    mutating func add(_ other: FilterSQL, as template: (String) -> String) {
        guard !other.clauses.isEmpty else { return }
        add(template(other.conjunction), other.values)
    }

    var conjunction: String { clauses.joined(separator: " AND ") }
    var whereSQL: String { clauses.isEmpty ? "" : "WHERE " + conjunction }
    var arguments: StatementArguments { StatementArguments(values) }

    /// The filter's conditions on an event summary row `s`, the package and environment aside.
    mutating func summary(_ filter: EventFilter) {
        if let s = filter.since { add("s.finished >= ?", [s]) }
        if let u = filter.until { add("s.started < ?", [u]) }
        if let u = filter.user { add("s.user = ?", [u]) }
        if let t = filter.tool { add("s.tool = ?", [t]) }
        if let k = filter.kind { add("s.kind = ?", [k]) }
    }

    /// The filter's host and prefixes as a condition on an environment id column.
    mutating func environment(_ filter: EventFilter, column: String) {
        var env = FilterSQL()
        if let h = filter.host { env.add("host = ?", [h]) }
        if let p = filter.prefixes, !p.isEmpty {
            env.add("prefix IN (\(Array(repeating: "?", count: p.count).joined(separator: ",")))", p)
        }
        add(env) { "\(column) IN (SELECT id FROM environment WHERE \($0))" }
    }
}
