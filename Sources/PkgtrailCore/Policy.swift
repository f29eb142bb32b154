/// What pkgtrail enforces around pip and uv, read from policy files: the
/// administrator's (`/etc/pkgtrail/policy.toml`) and the user's
/// (`~/.config/pkgtrail/policy.toml`). The user's file can only tighten:
/// the longer cooldown wins, and `block` wins over `warn`. Nothing is
/// enforced until a file says so.
public struct Policy: Equatable, Sendable {
    /// One file as read: its path, the sha256 of its bytes (what an event
    /// records, so an auditor can tell exactly which policy was in force),
    /// and what it sets.
    public struct File: Equatable, Sendable {
        public let path: String
        public let sha256: String
        public let minReleaseAge: Age?
        public let onUnsupported: OnUnsupported?
        public let deny: [Denied]
        public let knownStartupHooks: [String]
        /// Projects this file's cooldown does not apply to (PEP 503 names).
        public let cooldownExempt: Set<String>
        /// Advisory id prefixes ("MAL", "PYSEC", "GHSA"): what an imported
        /// advisory with such an id or alias names is denied.
        public let denyAdvisories: [String]
        /// The advisory store `denyAdvisories` reads (nil: the default, beside the log).
        public let advisories: String?
        /// An install that adds an unknown executable `.pth` fails (exit 1), said loudly.
        public let blockNewStartupHooks: Bool?

        public init(path: String, bytes: [UInt8]) throws {
            self.path = path
            sha256 = Digest.sha256Hex(bytes)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw PkgtrailError(.invalidInput, "\(path): not UTF-8 text")
            }
            var age: Age?
            var unsupported: OnUnsupported?
            var deny: [Denied] = []
            var hooks: [String] = []
            var exempt: Set<String> = []
            var prefixes: [String] = []
            var store: String?
            var blockHooks: Bool?
            do {
                for e in try TOMLSubset.parse(text) {
                    func fail(_ why: String) -> PkgtrailError {
                        PkgtrailError(.invalidInput, "line \(e.line): \(e.key): \(why)")
                    }
                    switch e.key {
                    case "min_release_age":
                        guard case .string(let s) = e.value, let a = Age(s) else {
                            throw fail("give a span such as \"48h\" or \"7d\" (units s, m, h, d, w)")
                        }
                        age = a
                    case "on_unsupported":
                        guard case .string(let s) = e.value, let v = OnUnsupported(rawValue: s) else {
                            throw fail("give \"warn\" or \"block\"")
                        }
                        unsupported = v
                    case "deny":
                        guard case .array(let items) = e.value else { throw fail("give a list of strings") }
                        deny = try items.map { item in
                            guard case .string(let s) = item, let d = Denied(s) else {
                                throw fail("give \"name\" (every version) or \"name==version\"")
                            }
                            return d
                        }
                    case "known_startup_hooks":
                        guard case .array(let items) = e.value else { throw fail("give a list of sha256 digests") }
                        hooks = try items.map { item in
                            guard case .string(let s) = item, s.count == 64, Hex.decode(s) != nil, s == s.lowercased()
                            else { throw fail("give the lowercase hex sha256 of each .pth file's bytes") }
                            return s
                        }
                    case "cooldown_exempt":
                        guard case .array(let items) = e.value else { throw fail("give a list of project names") }
                        exempt = Set(
                            try items.map { item in
                                guard case .string(let s) = item, let d = Denied(s), d.version == nil else {
                                    throw fail("give project names, without versions")
                                }
                                return d.name
                            })
                    case "deny_advisories":
                        guard case .array(let items) = e.value else { throw fail("give a list of id prefixes") }
                        prefixes = try items.map { item in
                            guard case .string(let s) = item, AdvisorySelection.isPrefix(s) else {
                                throw fail("give advisory id prefixes such as \"MAL\", \"PYSEC\" or \"GHSA\"")
                            }
                            return s
                        }
                    case "advisories":
                        guard case .string(let s) = e.value, s.hasPrefix("/") else {
                            throw fail("give the absolute path of an advisory store (`pkgtrail advisories import`)")
                        }
                        store = s
                    case "block_new_startup_hooks":
                        guard case .bool(let b) = e.value else { throw fail("give true or false") }
                        blockHooks = b
                    default:
                        throw fail(
                            "unknown setting (known: min_release_age, on_unsupported, deny, deny_advisories, "
                                + "advisories, known_startup_hooks, cooldown_exempt, block_new_startup_hooks)")
                    }
                }
            } catch let e as PkgtrailError {
                throw PkgtrailError(
                    .invalidInput, "\(path): \(e.description): fix it (`pkgtrail policy check \(path)`)")
            }
            minReleaseAge = age
            onUnsupported = unsupported
            self.deny = deny
            knownStartupHooks = hooks
            cooldownExempt = exempt
            denyAdvisories = prefixes
            advisories = store
            blockNewStartupHooks = blockHooks
        }
    }

    /// What one file's `deny_advisories` selects: advisories whose id or an
    /// alias starts with one of its prefixes, from its store.
    public struct AdvisorySelection: Equatable, Sendable {
        /// Sorted, without duplicates.
        public let prefixes: [String]
        /// nil: the default store, beside the log.
        public let store: String?
        /// The policy file that asks for it.
        public let file: String

        public init(prefixes: [String], store: String?, file: String) {
            self.prefixes = Array(Set(prefixes)).sorted()
            self.store = store
            self.file = file
        }

        /// Whether an advisory with these ids (its own and its aliases) is selected.
        public func selects(_ ids: [String]) -> Bool {
            ids.contains { id in prefixes.contains { id.hasPrefix($0 + "-") } }
        }

        /// Upper-case letters and digits, as OSV's database prefixes are.
        static func isPrefix(_ s: String) -> Bool {
            (2...16).contains(s.utf8.count)
                && s.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
        }
    }

    /// A project no version of which may be installed, or one version of it.
    public struct Denied: Equatable, Hashable, Sendable, Comparable {
        /// PEP 503 normalized.
        public let name: String
        /// nil: every version.
        public let version: String?

        public init?(_ text: String) {
            let parts = text.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
            let name = String(String(parts[0]).trimmingSpaces)
            guard !name.isEmpty,
                name.utf8.allSatisfy({ b in
                    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
                })
            else { return nil }
            self.name = PackageName.normalize(name)
            switch parts.count {
            case 1: version = nil
            case 3 where parts[1].isEmpty:
                let v = String(String(parts[2]).trimmingSpaces)
                guard !v.isEmpty, Version(v) != nil else { return nil }
                version = v
            default: return nil
            }
        }

        public init(name: String, version: String?) {
            self.name = PackageName.normalize(name)
            self.version = version
        }

        public func matches(name: String, version: String?) -> Bool {
            guard PackageName.normalize(name) == self.name else { return false }
            guard let mine = self.version else { return true }
            guard let version else { return false }
            return mine == version || Version(mine).flatMap { a in Version(version).map { a == $0 } } == true
        }

        /// The constraint line that keeps this version out (nil: the whole project, which no constraint can).
        public var constraint: String? { version.map { "\(name)!=\($0)" } }

        public var description: String { version.map { "\(name)==\($0)" } ?? name }

        public static func < (a: Denied, b: Denied) -> Bool { (a.name, a.version ?? "") < (b.name, b.version ?? "") }
    }

    /// A release age: a whole number of seconds, minutes, hours, days or weeks.
    public struct Age: Equatable, Sendable, Comparable {
        public let milliseconds: Int64
        /// As written in the file ("48h").
        public let text: String

        public init?(_ text: String) {
            let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
            guard let unit = text.last.flatMap({ units[$0] }), let n = Int64(text.dropLast()), n > 0,
                n <= Int64.max / unit
            else { return nil }
            milliseconds = n * unit
            self.text = text
        }

        public static func < (a: Age, b: Age) -> Bool { a.milliseconds < b.milliseconds }

        /// A span in the largest whole unit a person reads at a glance: "35 minutes", "3 days".
        public static func spoken(milliseconds ms: Int64) -> String {
            let units: [(Int64, String)] = [
                (86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute"), (1_000, "second")
            ]
            for (size, word) in units where ms >= size {
                let n = ms / size
                return "\(n) \(word)\(n == 1 ? "" : "s")"
            }
            return "less than a second"
        }
    }

    /// What to do when a cooldown cannot be enforced (a tool too old, a
    /// command whose resolver pkgtrail cannot reach): go on and say so, or refuse.
    public enum OnUnsupported: String, Sendable { case warn, block }

    /// A setting with the file it came from.
    public struct Sourced<T: Equatable & Sendable>: Equatable, Sendable {
        public let value: T
        public let path: String
    }

    public let files: [File]
    public let minReleaseAge: Sourced<Age>?
    public let onUnsupported: Sourced<OnUnsupported>?
    /// Set (true) by some file: `true` in either file wins.
    public let blockNewStartupHooks: Sourced<Bool>?
    /// Every file's entries together (a deny-list only grows), sorted.
    public var deny: [Denied] { denyByName.values.flatMap { $0 }.sorted() }
    /// sha256 digests of `.pth` files the policy vouches for, beside `KnownStartupHooks.builtIn`.
    public let knownStartupHooks: Set<String>

    /// The administrator's file first, then the user's.
    public init(admin: File?, user: File?) {
        let files = [admin, user].compactMap { $0 }
        self.files = files
        minReleaseAge = Self.strictest(files, { $0.minReleaseAge }, { $0 > $1 })
        onUnsupported = Self.strictest(files, { $0.onUnsupported }, { $0 == .block && $1 == .warn })
        blockNewStartupHooks = Self.strictest(files, { $0.blockNewStartupHooks }, { $0 && !$1 })
        // Grouped, not sorted: thousands of entries are read for every command.
        denyByName = Dictionary(grouping: Set(files.flatMap(\.deny)), by: \.name)
        knownStartupHooks = Set(files.flatMap(\.knownStartupHooks))
    }

    private static func strictest<T>(_ files: [File], _ get: (File) -> T?, _ tighter: (T, T) -> Bool) -> Sourced<T>? {
        var best: Sourced<T>?
        for f in files {
            guard let v = get(f) else { continue }
            if let b = best, !tighter(v, b.value) { continue }
            best = Sourced(value: v, path: f.path)
        }
        return best
    }

    /// Each file's `deny_advisories`, the administrator's first: a user's
    /// file adds its own, never replaces the administrator's.
    public var advisorySelections: [AdvisorySelection] {
        files.filter { !$0.denyAdvisories.isEmpty }.map {
            AdvisorySelection(prefixes: $0.denyAdvisories, store: $0.advisories, file: $0.path)
        }
    }

    /// Nothing to enforce.
    public var isEmpty: Bool { minReleaseAge == nil && !hasDenyList && !blocksNewStartupHooks }

    public var blocksNewStartupHooks: Bool { blockNewStartupHooks?.value == true }

    public var hasDenyList: Bool { !denyByName.isEmpty || files.contains { !$0.denyAdvisories.isEmpty } }
    public var denyCount: Int { denyByName.values.reduce(0) { $0 + $1.count } }

    /// The entries by name: a deny-list can run to thousands.
    private let denyByName: [String: [Denied]]

    /// The entry that denies this version of `name`, if any.
    public func denied(name: String, version: String?) -> Denied? {
        denyByName[PackageName.normalize(name)]?.first { $0.matches(name: $0.name, version: version) }
    }

    /// `name!=version` lines for the versions denied one by one, sorted: what
    /// pip's and uv's resolvers take as constraints.
    public var constraints: [String] {
        denyByName.values.flatMap { $0.filter { $0.version != nil } }.sorted().compactMap(\.constraint)
    }

    public var unsupported: OnUnsupported { onUnsupported?.value ?? .warn }

    /// What `on_unsupported` makes of protection the policy asks for and a
    /// command cannot have (a cooldown a tool cannot take, a deny-list whose
    /// advisories are not there): refuse the command, or say it and go on.
    public enum Unsupported: Equatable, Sendable {
        /// The reason, with the setting and the file that set it.
        case refuse(String)
        case warn(String)
    }

    public func whenUnsupported(_ reason: String) -> Unsupported {
        switch unsupported {
        case .warn: return .warn(reason)
        case .block: return .refuse("\(reason) (on_unsupported = \"block\", \(onUnsupported?.path ?? "policy"))")
        }
    }

    /// Each project some file exempts, with the age that still applies to it:
    /// the longest cooldown among the files that do not exempt it (nil:
    /// none does). A user's exemption never lifts the administrator's cooldown.
    public var exemptions: [(name: String, age: Age?)] {
        Set(files.flatMap(\.cooldownExempt)).sorted().map { name in
            (name, files.filter { !$0.cooldownExempt.contains(name) }.compactMap(\.minReleaseAge).max())
        }
    }

    /// The cut-off a cooldown sets at `now` (RFC 3339 milliseconds, UTC):
    /// releases uploaded after it are not installed.
    public func cutoff(nowMilliseconds: Int64) -> String? {
        minReleaseAge.map { Timestamp.format(millisecondsSinceEpoch: nowMilliseconds - $0.value.milliseconds) }
    }
}
