import PkgtrailAdvisories
import PkgtrailCore
import PkgtrailSystem

/// The part of a deny-list that comes from imported advisories
/// (`deny_advisories`): each selection's store, opened read-only for the
/// command. Versions denied one by one become constraints, cached per
/// import (the database is queried once after each import, not per
/// command); everything else is looked up by name, for what a command
/// names before it runs and what it installed after.
public struct AdvisoryDenial {
    /// One selection as read for a command (and as `policy show` reports it).
    public struct Source {
        public let selection: Policy.AdvisorySelection
        public let path: String
        let index: AdvisoryDenyIndex
        public let generation: AdvisoryDenyIndex.Generation
        public let constraints: [String]
        public let selected: Int
    }

    let sources: [Source]
    /// Stores that could not be read: protection the policy asked for and
    /// does not have (on_unsupported decides).
    let problems: [String]

    static var none: AdvisoryDenial { AdvisoryDenial(sources: [], problems: []) }

    init(sources: [Source], problems: [String]) {
        self.sources = sources
        self.problems = problems
    }

    init(_ policy: Policy, env: ProcessEnvironment) {
        var sources: [Source] = []
        var problems: [String] = []
        for selection in policy.advisorySelections {
            switch Self.load(selection, env: env) {
            case .success(let source): sources.append(source)
            case .failure(let problem): problems.append(problem.text)
            }
        }
        self.init(sources: sources, problems: problems)
    }

    /// The store a selection reads: the file's `advisories`, else the default beside the log.
    public static func storePath(_ selection: Policy.AdvisorySelection, env: ProcessEnvironment) -> String {
        selection.store ?? AdvisoryDenyIndex.defaultPath(env: env)
    }

    /// Why a selection has no deny-list: the line said (and recorded).
    public struct Problem: Error {
        public let text: String
    }

    /// One selection's store opened, its last import read, its constraint
    /// lines taken from the cache (or the store, once per import).
    public static func load(_ selection: Policy.AdvisorySelection, env: ProcessEnvironment) -> Result<Source, Problem> {
        let path = storePath(selection, env: env)
        do {
            guard let index = try AdvisoryDenyIndex.open(path: path), let generation = try index.generation() else {
                return .failure(
                    Problem(
                        text: "deny_advisories (\(selection.file)): no advisories at \(path): import them "
                            + "(`pkgtrail advisories import all.zip`)"))
            }
            let cached = try cachedConstraints(index, generation, selection, env.stateDirectory)
            return .success(
                Source(
                    selection: selection, path: path, index: index, generation: generation,
                    constraints: cached.lines, selected: cached.advisories))
        } catch {
            return .failure(Problem(text: "deny_advisories (\(selection.file)): \(error)"))
        }
    }

    /// The constraints one import yields for one selection, kept under the
    /// state directory by (store, import, prefixes): the first command after
    /// an import queries them, the rest read a small file.
    static func cachedConstraints(
        _ index: AdvisoryDenyIndex, _ generation: AdvisoryDenyIndex.Generation, _ selection: Policy.AdvisorySelection,
        _ stateDirectory: String
    ) throws -> (lines: [String], advisories: Int) {
        let key = Digest.sha256Hex(
            Array(
                // "2": the rule that makes lines (malicious single versions only); a new rule, a new key.
                [
                    "2", index.path, String(generation.run), generation.imported,
                    selection.prefixes.joined(separator: ",")
                ]
                .joined(separator: "\n").utf8))
        let path = FileSystem.join(stateDirectory, "policy/advisories-\(key).txt")
        if let text = FileSystem.readText(path), text.hasPrefix("# advisories "), text.hasSuffix("\n") {
            let lines = text.split(separator: "\n").map(String.init)
            if let n = Int(lines[0].dropFirst("# advisories ".count)) { return (Array(lines.dropFirst()), n) }
        }
        let fresh = try index.constraints(selection)
        let text = (["# advisories \(fresh.advisories)"] + fresh.lines).joined(separator: "\n") + "\n"
        FileSystem.makeDirectories(FileSystem.dirname(path))
        // A cache: when it cannot be written, the next command queries again.
        _ = FileSystem.writeAtomically(path, Array(text.utf8))
        return fresh
    }

    var constraints: [String] { sources.flatMap(\.constraints) }

    /// What the event records of each selection.
    var records: [PolicyInForce.Advisories] {
        sources.map { s in
            PolicyInForce.Advisories(
                store: s.path, prefixes: s.selection.prefixes, imported: s.generation.imported,
                newestModified: s.generation.newestModified, selected: s.selected)
        }
    }

    /// An advisory that denies `version` of `name` (nil version: only a
    /// denial of every version counts), described for the `pkgtrail:` line.
    struct Denial {
        let advisory: String
        let ids: [String]
        let file: String

        /// "MAL-2026-2144, alias PYSEC-2026-2; deny_advisories in /etc/pkgtrail/policy.toml"
        var description: String {
            let aliases = ids.filter { $0 != advisory }
            return advisory + (aliases.isEmpty ? "" : ", alias " + aliases.joined(separator: ", "))
                + "; deny_advisories in \(file)"
        }
    }

    /// For each (name, version) some selected advisory denies, the first such advisory.
    func denials(_ items: [(name: String, version: String?)]) -> [(name: String, version: String?, Denial)] {
        guard !sources.isEmpty, !items.isEmpty else { return [] }
        var out: [(name: String, version: String?, Denial)] = []
        var found: Set<String> = []
        for source in sources {
            let index = source.index
            // A store that fails mid-command is said, never passed over in silence.
            func said<T>(_ fallback: T, _ body: () throws -> T) -> T {
                do { return try body() } catch {
                    Console.warning("deny-list not checked against \(index.path): \(error)")
                    return fallback
                }
            }
            let hits = said([]) { try index.hits(names: items.map(\.name), source.selection) }
            let byName = Dictionary(grouping: hits, by: \.name)
            for item in items {
                let key = "\(item.name)==\(item.version ?? "")"
                guard !found.contains(key), let candidates = byName[item.name] else { continue }
                if let hit = candidates.first(where: { h in said(false) { try index.denies(h, version: item.version) } }
                ) {
                    found.insert(key)
                    out.append(
                        (
                            item.name, item.version,
                            Denial(advisory: hit.advisory, ids: hit.ids, file: source.selection.file)
                        ))
                }
            }
        }
        return out
    }
}
