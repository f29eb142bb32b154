/// What `exposure` takes from an OSV advisory (the format of PyPI's
/// advisory database and OSV's `MAL-` entries): for each affected PyPI
/// package, the listed versions and the ECOSYSTEM ranges. Other ecosystems
/// and range types (SEMVER, GIT) do not describe PyPI versions and are skipped.
public struct OSVAdvisory: Sendable, Equatable {
    public let id: String
    public let affected: [Affected]
    /// What the audit reports and the advisory store keeps up to date.
    public var meta = Meta()

    public struct Meta: Sendable, Equatable {
        /// RFC 3339, as OSV writes it; a re-import replaces an entry only by a newer one.
        public var modified: String?
        public var published: String?
        /// Set when the advisory was retracted: it no longer names anything.
        public var withdrawn: String?
        public var summary: String?
        /// Other ids of the same incident (MAL-… and PYSEC-… for one package).
        public var aliases: [String] = []
        /// `database_specific.severity` (CRITICAL, HIGH, MODERATE, LOW) where the database gives one.
        public var severity: String?
        /// Packages of other ecosystems the entry names (not PyPI: skipped).
        public var otherEcosystems = 0

        public init() {}
    }

    public init(id: String, affected: [Affected], meta: Meta = Meta()) {
        self.id = id
        self.affected = affected
        self.meta = meta
    }

    /// `MAL-` entries: OSV's malicious-packages database.
    public var isMalicious: Bool { id.hasPrefix("MAL-") || meta.aliases.contains { $0.hasPrefix("MAL-") } }

    public struct Affected: Sendable, Equatable {
        public let name: String
        public let versions: [String]
        public let ranges: [[Event]]

        /// One entry of a range's `events` list.
        public enum Event: Sendable, Equatable {
            case introduced(String)
            case fixed(String)
            case lastAffected(String)
            case limit(String)
        }

        /// OSV's evaluation: walking the events in version order, an
        /// `introduced` at or below the version opens the range, a `fixed` or
        /// `limit` at or below it closes it, a `last_affected` below it closes it.
        public func contains(_ version: String) -> Bool { versionTest.contains(version) }

        public var versionTest: VersionTest { VersionTest(self) }

        /// `contains`, with the listed versions and range events parsed and
        /// ordered once: an audit tests tens of thousands of versions against
        /// the same advisories, on both cores.
        public struct VersionTest: Sendable {
            let listed: [(text: String, version: Version?)]
            /// Each range's events in version order, their versions parsed.
            let ranges: [[(event: Event, version: Version?)]]

            public init(_ affected: Affected) {
                listed = affected.versions.map { ($0, Version($0)) }
                ranges = affected.ranges.map { events in
                    events.sorted { Affected.order($0) < Affected.order($1) }.map { e in
                        switch e {
                        case .introduced(let s), .fixed(let s), .lastAffected(let s), .limit(let s): (e, Version(s))
                        }
                    }
                }
            }

            public func contains(_ version: String) -> Bool { contains(version, parsed: Version(version)) }

            /// `parsed`: `Version(version)`, when the caller tests it against many.
            public func contains(_ version: String, parsed v: Version?) -> Bool {
                // `same`: equal versions, or equal text where either does not parse.
                if listed.contains(where: { l in
                    if let x = l.version, let v { return x == v }
                    return l.text == version
                }) {
                    return true
                }
                guard let v else { return false }
                return ranges.contains { events in
                    var affected = false
                    for (e, bound) in events {
                        switch e {
                        case .introduced(let s): if s == "0" || bound.map({ v >= $0 }) == true { affected = true }
                        case .fixed, .limit: if let f = bound, v >= f { affected = false }
                        case .lastAffected: if let l = bound, v > l { affected = false }
                        }
                    }
                    return affected
                }
            }
        }

        /// How a deny-list keeps what this names out. Every version: a range
        /// opened at "0" and never closed (a typosquat, malicious whole);
        /// the listed versions (OSV lists them where it knows them: the
        /// LiteLLM case); else only the ranges describe them.
        public enum DenyForm: Equatable, Sendable {
            case everyVersion
            case versions([String])
            case ranges
        }

        public var denyForm: DenyForm {
            let openForever = ranges.contains { events in
                events.contains(.introduced("0"))
                    && !events.contains { e in
                        if case .introduced = e { return false }
                        return true
                    }
            }
            if openForever { return .everyVersion }
            return versions.isEmpty ? .ranges : .versions(versions)
        }

        /// Version order with "0" (the beginning of time) first; an unparsable
        /// version sorts last and so never opens a range early.
        fileprivate static func order(_ e: Event) -> OrderKey {
            switch e {
            case .introduced(let s): return s == "0" ? .start : Version(s).map(OrderKey.at) ?? .end
            case .fixed(let s), .lastAffected(let s), .limit(let s): return Version(s).map(OrderKey.at) ?? .end
            }
        }

        fileprivate enum OrderKey: Comparable {
            case start
            case at(Version)
            case end
        }
    }

    /// Reads one advisory or a JSON array of them.
    public static func parse(_ bytes: [UInt8]) throws -> [OSVAdvisory] {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw PkgtrailError(.invalidInput, "not JSON: \(error)") }
        let docs = root.arrayValue ?? [root]
        return try docs.enumerated().map { i, doc in
            guard let id = doc["id"]?.stringValue else {
                throw PkgtrailError(.invalidInput, "entry \(i) has no \"id\": not an OSV advisory")
            }
            var meta = Meta()
            meta.modified = doc["modified"]?.stringValue
            meta.published = doc["published"]?.stringValue
            meta.withdrawn = doc["withdrawn"]?.stringValue
            meta.summary = doc["summary"]?.stringValue ?? doc["details"]?.stringValue.map { String($0.prefix(200)) }
            meta.aliases = (doc["aliases"]?.arrayValue ?? []).compactMap(\.stringValue)
            meta.severity = doc["database_specific"]?["severity"]?.stringValue
            meta.otherEcosystems =
                (doc["affected"]?.arrayValue ?? []).filter {
                    $0["package"]?["ecosystem"]?.stringValue != "PyPI"
                }.count
            let affected = (doc["affected"]?.arrayValue ?? []).compactMap { a -> Affected? in
                guard a["package"]?["ecosystem"]?.stringValue == "PyPI", let name = a["package"]?["name"]?.stringValue
                else {
                    return nil
                }
                let ranges = (a["ranges"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "ECOSYSTEM" }.map {
                    r in
                    (r["events"]?.arrayValue ?? []).compactMap { e -> Affected.Event? in
                        if let s = e["introduced"]?.stringValue { return .introduced(s) }
                        if let s = e["fixed"]?.stringValue { return .fixed(s) }
                        if let s = e["last_affected"]?.stringValue { return .lastAffected(s) }
                        if let s = e["limit"]?.stringValue { return .limit(s) }
                        return nil
                    }
                }
                return Affected(
                    name: PackageName.normalize(name),
                    versions: (a["versions"]?.arrayValue ?? []).compactMap(\.stringValue),
                    ranges: ranges)
            }
            return OSVAdvisory(id: id, affected: affected, meta: meta)
        }
    }
}
