import PkgtrailCore
import PkgtrailSystem

/// What a policy's `deny_advisories` reads for each command: the store's
/// `deny` rows, built at import (a command looks names up; it never parses
/// the advisory database). Opened read-only, once per command.
public struct AdvisoryDenyIndex {
    let reader: SQLiteReader

    /// Which import the answers come from: an event records it, and the
    /// constraints derived from it are cached under it.
    public struct Generation: Equatable, Sendable {
        /// When the last import ran, and its sequence number in the store.
        public let imported: String
        public let run: Int64
        public let newestModified: String?
    }

    /// An advisory that denies a name (some or all of its versions).
    public struct Hit: Equatable, Sendable {
        public let name: String
        public let advisory: String
        /// The advisory's id and aliases.
        public let ids: [String]
        public let kind: AdvisoryStore.DenyKind
        /// For `.version`: the denied version.
        public let version: String
    }

    /// nil when there is no store at `path`; throws when it cannot be opened.
    public static func open(path: String) throws -> AdvisoryDenyIndex? {
        guard FileSystem.exists(path) else { return nil }
        return AdvisoryDenyIndex(reader: try SQLiteReader(path: path))
    }

    public var path: String { reader.path }

    /// Where the store is unless a command or policy names one:
    /// `PKGTRAIL_ADVISORIES`, else `advisories.db` beside the log.
    public static func defaultPath(env: ProcessEnvironment, log: String? = nil) -> String {
        env.nonEmpty("PKGTRAIL_ADVISORIES")
            ?? FileSystem.join(FileSystem.dirname(log ?? env.databasePath), "advisories.db")
    }

    /// nil: nothing imported yet. The first query: a store that is not one,
    /// or was written before deny-lists, is said here.
    public func generation() throws -> Generation? {
        let rows = try read(
            """
            SELECT rowid, at, newest_modified, (SELECT count(*) FROM deny WHERE 0) FROM import_run
            ORDER BY rowid DESC LIMIT 1
            """)
        guard let row = rows.first, let imported = row[1], let run = row[0].flatMap({ Int64($0) }) else { return nil }
        return Generation(imported: imported, run: run, newestModified: row[2])
    }

    /// `name!=version` lines for the malicious versions the selected
    /// advisories deny one by one, sorted; and how many advisories are
    /// selected. Not for projects some selected advisory denies whole (those
    /// are refused by name), nor for vulnerabilities (PYSEC, GHSA without a
    /// MAL alias): OSV lists every affected version of those, tens of
    /// thousands of lines across PyPI at about 0.2 ms each to pip, and the
    /// newest release, which a resolver picks unless told otherwise, is
    /// usually the fixed one; their versions are checked by name and version
    /// before a command runs and after.
    public func constraints(_ selection: Policy.AdvisorySelection) throws -> (lines: [String], advisories: Int) {
        let selected = Self.sql(selection)
        let lines = try read(
            """
            SELECT DISTINCT name, version FROM deny
            WHERE kind = 1 AND instr(ids, ' MAL-') > 0 AND \(selected)
              AND name NOT IN (SELECT name FROM deny WHERE kind = 0 AND \(selected))
            ORDER BY name, version
            """
        ).map { "\($0[0] ?? "")!=\($0[1] ?? "")" }
        let count = try read("SELECT count(DISTINCT advisory) FROM deny WHERE \(selected)").first?[0].flatMap {
            Int($0)
        }
        return (lines, count ?? 0)
    }

    /// The selected advisories' rows for these (normalized) names.
    public func hits(names: some Collection<String>, _ selection: Policy.AdvisorySelection) throws -> [Hit] {
        var out: [Hit] = []
        // SQLite binds at most 32,766 variables per statement.
        for part in Array(Set(names)).sorted().chunked(500) {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
            out += try read(
                """
                SELECT name, advisory, kind, version, ids FROM deny
                WHERE name IN (\(marks)) AND \(Self.sql(selection)) ORDER BY name, advisory
                """, Array(part)
            ).map { row in
                Hit(
                    name: row[0] ?? "", advisory: row[1] ?? "",
                    ids: (row[4] ?? "").split(separator: " ").map(String.init),
                    kind: row[2].flatMap { Int($0) }.flatMap(AdvisoryStore.DenyKind.init) ?? .range,
                    version: row[3] ?? "")
            }
        }
        return out
    }

    /// Whether a hit denies `version` (nil: the version is not known yet,
    /// as for `pip install NAME`; only a denial of every version then holds).
    public func denies(_ hit: Hit, version: String?) throws -> Bool {
        switch hit.kind {
        case .every: return true
        case .version:
            guard let version else { return false }
            return hit.version == version
                || Version(hit.version).flatMap { a in Version(version).map { a == $0 } } == true
        case .range:
            guard let version, let body = try read("SELECT body FROM advisory WHERE id = ?", [hit.advisory]).first?[0]
            else { return false }
            return try OSVAdvisory.parse(Array(body.utf8)).contains { a in
                a.affected.contains { $0.name == hit.name && $0.contains(version) }
            }
        }
    }

    func read(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        do { return try reader.rows(sql, arguments) } catch let f as SQLiteReader.Failure {
            if f.message.contains("no such table: import_run") {
                throw PkgtrailError(.corrupt, "\(path) is not a pkgtrail advisory store")
            }
            if f.message.contains("no such") {
                throw PkgtrailError(
                    .corrupt, "\(path) predates deny-lists: import once more (`pkgtrail advisories import FILE`)")
            }
            throw PkgtrailError(.unreadable, "\(path): \(f.message)")
        }
    }

    /// The selection as SQL over `deny.ids` (prefixes are upper-case letters and digits: safe to inline).
    static func sql(_ selection: Policy.AdvisorySelection) -> String {
        "(" + selection.prefixes.map { "instr(ids, ' \($0)-') > 0" }.joined(separator: " OR ") + ")"
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
