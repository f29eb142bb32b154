import PkgtrailCore
import PkgtrailSystem

/// The whole history against every known advisory: each window in which an
/// environment held a version some advisory in force names, with the
/// advisories that name it grouped into incidents (ids that alias each
/// other are one incident, reported once with all its ids).
public struct AdvisoryAudit {
    public struct Options: Sendable {
        /// Which windows count: those that reach `since` or later (still
        /// present, or ended after it), on `host`, in `prefixes`.
        public var scope = EventFilter()
        /// Only advisories stored (added or changed) at or after this time.
        public var newSince: String?
        public var maliciousOnly = false

        public init() {}
    }

    public struct Incident: Sendable, Equatable {
        /// The ids, the malicious-package one first.
        public var ids: [String]
        public var summary: String?
        public var malicious: Bool
        public var severity: String?
    }

    /// A window some advisory names, before its events are read.
    public struct Hit: Sendable {
        public let window: Window
        public let incidents: [Incident]

        public var malicious: Bool { incidents.contains(where: \.malicious) }
    }

    let queries: any TrailQueries
    let store: AdvisoryStore

    public init(queries: any TrailQueries, store: AdvisoryStore) {
        self.queries = queries
        self.store = store
    }

    /// Every window in which an environment held a version an advisory in
    /// force names, from the projections alone: malicious first, then the
    /// gravest, then the newest arrival. An answer can run to a hundred
    /// thousand windows; their events are read (`storedEvents`) a part at a
    /// time, as they are printed.
    public func hits(_ options: Options) throws -> [Hit] {
        var tests: [String: [(advisory: OSVAdvisory, test: OSVAdvisory.Affected.VersionTest)]] = [:]
        // A daily `--new-since` names a few dozen packages: asking the log
        // about each is cheaper than listing its every name (the whole name
        // index, a third of that run's time).
        // A whole audit lists the log's names on another thread meanwhile.
        let queries = queries
        let logNames = options.newSince == nil ? Prefetch { try queries.packageNames() } : nil
        defer { _ = try? logNames?.get() }
        let affected = Set(try store.affectedNames(since: options.newSince))
        let names =
            affected.count <= 200
            ? affected : affected.intersection(try logNames?.get() ?? queries.packageNames())
        for name in names {
            var advisories = try store.advisories(for: name, since: options.newSince)
            if options.maliciousOnly { advisories = advisories.filter { $0.isMalicious } }
            let named = advisories.flatMap { a in a.affected.filter { $0.name == name }.map { (a, $0.versionTest) } }
            if !named.isEmpty { tests[name] = named }
        }
        func advising(_ name: String, _ version: String) -> [OSVAdvisory] {
            let parsed = Version(version)
            return tests[name, default: []].filter { $0.test.contains(version, parsed: parsed) }.map(\.advisory)
        }
        // Both cores test versions while they walk the index: the tests are
        // read-only, and each version's incidents are grouped once, after.
        let frozen = tests
        let windows = try queries.windows(names: tests.keys.sorted(), within: options.scope) { name, version in
            let parsed = Version(version)
            return frozen[name, default: []].contains { $0.test.contains(version, parsed: parsed) }
        }
        var verdicts: [String: (incidents: [Incident], rank: Int)] = [:]
        var keys: [(group: Int, started: (UInt64, UInt64, UInt64))] = []
        keys.reserveCapacity(windows.count)
        let hits = windows.map { w in
            let key = w.name + "\u{0}" + w.version
            let verdict =
                verdicts[key]
                ?? {
                    let incidents = Self.incidents(advising(w.name, w.version))
                    let malicious = incidents.contains(where: \.malicious)
                    let severity = incidents.compactMap { Self.rank($0.severity) }.max() ?? 0
                    // Malicious first, then the gravest.
                    return (incidents, (malicious ? 0 : 8) + 4 - severity)
                }()
            verdicts[key] = verdict
            keys.append((verdict.rank, Self.sortable(w.started)))
            return Hit(window: w, incidents: verdict.incidents)
        }
        let order = keys.indices.sorted { i, j in
            let (a, b) = (keys[i], keys[j])
            if a.group != b.group { return a.group < b.group }
            // Newest first, in byte order, as the times are written.
            if a.started != b.started { return a.started > b.started }
            let (x, y) = (hits[i].window, hits[j].window)
            if x.started != y.started { return CanonicalJSON.utf8Less(y.started, x.started) }
            return (x.name, x.log, x.since) < (y.name, y.log, y.since)
        }
        return order.map { hits[$0] }
    }

    /// The first 24 bytes of a time (all of an RFC 3339 time in
    /// milliseconds), compared as numbers in the order their bytes compare:
    /// sorting a hundred thousand windows by their strings was a tenth of
    /// the audit. Longer texts that tie are compared whole.
    static func sortable(_ time: String) -> (UInt64, UInt64, UInt64) {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for (i, b) in time.utf8.prefix(24).enumerated() {
            let bit = UInt64(b) << (56 - 8 * UInt64(i % 8))
            switch i / 8 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            default: words.2 |= bit
            }
        }
        return words
    }

    /// The events as stored, each once (`--json` is written from the bodies).
    public func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents {
        try queries.storedEvents(keys)
    }

    /// The incidents in force that name this version of `name` (an SBOM's
    /// vulnerabilities), grouped as the audit groups them.
    public func incidents(name: String, version: String) throws -> [Incident] {
        let hits = try store.advisories(for: name).filter { a in
            a.affected.contains { $0.name == name && $0.contains(version) }
        }
        return Self.incidents(hits)
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
