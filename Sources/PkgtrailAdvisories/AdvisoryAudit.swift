import PkgtrailCore

/// The whole history against every known advisory: each window in which an
/// environment held a version some advisory in force names, with the
/// advisories that name it grouped into incidents (ids that alias each
/// other are one incident, reported once with all its ids).
public struct AdvisoryAudit {
    public struct Options: Sendable {
        /// Windows that reach this time or later (still present, or ended after it).
        public var since: String?
        /// Only advisories stored (added or changed) at or after this time.
        public var newSince: String?
        public var maliciousOnly = false
        public var host: String?
        /// Environment prefixes, as given and resolved.
        public var prefixes: [String]?

        public init() {}
    }

    public struct Incident: Sendable, Equatable {
        /// The ids, the malicious-package one first.
        public var ids: [String]
        public var summary: String?
        public var malicious: Bool
        public var severity: String?
    }

    public struct Finding: Sendable {
        public var presence: Presence
        public var incidents: [Incident]

        public var malicious: Bool { incidents.contains(where: \.malicious) }
        /// The gravest severity any of its advisories gives (nil: none says).
        public var severityRank: Int { incidents.compactMap { AdvisoryAudit.rank($0.severity) }.max() ?? 0 }
    }

    let queries: any TrailQueries
    let store: AdvisoryStore

    public init(queries: any TrailQueries, store: AdvisoryStore) {
        self.queries = queries
        self.store = store
    }

    public func run(_ options: Options) throws -> [Finding] {
        var findings: [Finding] = []
        let names = Set(try store.affectedNames(since: options.newSince)).intersection(try queries.packageNames())
        for name in names.sorted() {
            var advisories = try store.advisories(for: name, since: options.newSince)
            if options.maliciousOnly { advisories = advisories.filter { $0.isMalicious } }
            guard !advisories.isEmpty else { continue }
            let tests = advisories.flatMap { a in a.affected.filter { $0.name == name }.map { (a, $0) } }
            var verdicts: [String: [OSVAdvisory]] = [:]
            let windows = try queries.exposure(name: name) { version in
                let hits = tests.filter { $0.1.contains(version) }.map(\.0)
                verdicts[version] = hits
                return !hits.isEmpty
            }
            for w in windows where keep(w, options) {
                findings.append(Finding(presence: w, incidents: Self.incidents(verdicts[w.version] ?? [])))
            }
        }
        // Malicious first, then the gravest, then the newest window. The keys are
        // sorted, not the findings: each holds two whole events, and moving
        // thousands of them (with the rank recomputed per comparison) was a
        // sixth of an audit.
        let keys = findings.map { ($0.malicious ? 0 : 1, -$0.severityRank, $0.presence.windowStart ?? "") }
        let order = keys.indices.sorted { i, j in
            let (a, b) = (keys[i], keys[j])
            if a.0 != b.0 { return a.0 < b.0 }
            if a.1 != b.1 { return a.1 < b.1 }
            return a.2 > b.2
        }
        return order.map { findings[$0] }
    }

    func keep(_ p: Presence, _ o: Options) -> Bool {
        if let since = o.since, let end = p.windowEnd, end < since { return false }
        if let host = o.host, p.host != host { return false }
        if let prefixes = o.prefixes, !prefixes.contains(p.prefix) { return false }
        return true
    }

    /// Advisories grouped by alias: two that name each other (either way) are one incident.
    static func incidents(_ advisories: [OSVAdvisory]) -> [Incident] {
        var groups: [[OSVAdvisory]] = []
        for a in advisories {
            let names = Set([a.id] + a.meta.aliases)
            let joined = groups.indices.filter { i in
                groups[i].contains { names.contains($0.id) || $0.meta.aliases.contains(a.id) }
            }
            var merged = joined.flatMap { groups[$0] } + [a]
            for i in joined.reversed() { groups.remove(at: i) }
            merged.sort { ($0.isMalicious ? 0 : 1, $0.id) < ($1.isMalicious ? 0 : 1, $1.id) }
            groups.append(merged)
        }
        return groups.map { g in
            Incident(
                ids: g.map(\.id), summary: g.compactMap(\.meta.summary).first,
                malicious: g.contains(where: \.isMalicious),
                severity: g.compactMap(\.meta.severity).max { (rank($0) ?? 0) < (rank($1) ?? 0) })
        }.sorted { $0.ids[0] < $1.ids[0] }
    }

    /// OSV's `database_specific.severity` words, gravest highest.
    static func rank(_ severity: String?) -> Int? {
        switch severity?.uppercased() {
        case "CRITICAL": return 4
        case "HIGH": return 3
        case "MODERATE", "MEDIUM": return 2
        case "LOW": return 1
        default: return nil
        }
    }
}
