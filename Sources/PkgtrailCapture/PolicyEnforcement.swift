import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A release-age cooldown, enforced by the tool's own resolver: pkgtrail
/// computes the cut-off and hands it to pip (`PIP_UPLOADED_PRIOR_TO`, pip
/// 26.0 and later) or uv (`UV_EXCLUDE_NEWER`); no second resolve, no proxy.
/// A stricter cut-off the user set is kept; a looser one on the command
/// line is refused (it would loosen the policy); where the cut-off cannot
/// be handed over, the policy's `on_unsupported` decides, and the event
/// says why it was not in force.
struct CooldownRule {
    let age: Policy.Age
    let cutoff: String
    let cutoffMilliseconds: Int64
    let nowMilliseconds: Int64
    let policy: Policy
    /// The file that set the age, for messages.
    let source: String

    init?(_ policy: Policy, nowMilliseconds now: Int64) {
        guard let age = policy.minReleaseAge else { return nil }
        self.age = age.value
        cutoffMilliseconds = now - age.value.milliseconds
        cutoff = Timestamp.format(millisecondsSinceEpoch: cutoffMilliseconds)
        nowMilliseconds = now
        self.policy = policy
        source = age.path
        exemptions = policy.exemptions.compactMap { e in
            guard e.age.map({ $0 < age.value }) ?? true else { return nil }
            return (e.name, e.age.map { Timestamp.format(millisecondsSinceEpoch: now - $0.milliseconds) })
        }
    }

    /// Projects some file exempts from the cooldown in force, each with the
    /// cut-off that still applies to it (nil: none).
    let exemptions: [(name: String, cutoff: String?)]

    /// uv's per-package form; pip has none.
    var uvExemptionArguments: [String] {
        exemptions.flatMap { ["--exclude-newer-package", "\($0.name)=\($0.cutoff ?? "false")"] }
    }

    /// A cut-off as pip and uv accept it: RFC 3339, or `P<n>D` days before now
    /// (pip 26.1, uv); nil when it cannot be read here.
    func milliseconds(of value: String) -> Int64? {
        if let t = Timestamp.parse(value) { return t }
        let v = value.uppercased()
        if v.hasPrefix("P"), v.hasSuffix("D"), let days = Int64(v.dropFirst().dropLast()), days >= 0, days < 100_000 {
            return nowMilliseconds - days * 86_400_000
        }
        return nil
    }

    /// The plan for a tool whose resolver takes a cut-off from `variable`
    /// (set for the child) or from `option` on the command line: the
    /// user's own values from the command line, the environment and config
    /// files, each with where it came from.
    func plan(
        variable: String, option: String, argv: String?, environment: String?, config: (value: String, file: String)?
    ) -> CooldownPlan {
        if let argv {
            guard let t = milliseconds(of: argv), t <= cutoffMilliseconds else {
                // Said and recorded: whatever was typed there, redacted as argv is.
                return refused(
                    "\(option) \(Redaction.redactText(argv)) is later than the cooldown's cut-off \(cutoff) "
                        + "(min_release_age \(age.text), \(source)); drop the option or give an earlier time")
            }
            return kept(argv, by: "\(option) (the command's own, stricter)")
        }
        if let environment, let t = milliseconds(of: environment), t <= cutoffMilliseconds {
            return kept(environment, by: "\(variable) (the user's own, stricter)")
        }
        if let config, let t = milliseconds(of: config.value), t <= cutoffMilliseconds {
            // The variable outranks config files: handing the file's own value
            // over keeps it in force.
            var p = kept(config.value, by: "\(variable) (from \(config.file), stricter)")
            p.environment = [variable: config.value]
            return p
        }
        return CooldownPlan(
            environment: [variable: cutoff],
            record: record(cutoff: cutoff, by: variable, note: nil), refusal: nil, warning: nil)
    }

    /// A command that resolves nothing (uninstall, list): nothing to enforce.
    var nothingToResolve: CooldownPlan {
        CooldownPlan(
            environment: [:], record: record(cutoff: nil, by: nil, note: "nothing to resolve"), refusal: nil,
            warning: nil)
    }

    /// The cut-off cannot be handed to this command.
    func unsupported(_ reason: String) -> CooldownPlan {
        switch policy.whenUnsupported(reason) {
        case .warn(let why):
            return CooldownPlan(
                environment: [:], record: record(cutoff: nil, by: nil, note: why), refusal: nil,
                warning: "cooldown not in force: \(why)")
        case .refuse(let why):
            return refused(why)
        }
    }

    func refused(_ reason: String) -> CooldownPlan {
        CooldownPlan(
            environment: [:], record: record(cutoff: nil, by: nil, note: "blocked: " + reason),
            refusal: "blocked by policy: \(reason)", warning: nil)
    }

    func kept(_ value: String, by: String) -> CooldownPlan {
        CooldownPlan(environment: [:], record: record(cutoff: value, by: by, note: nil), refusal: nil, warning: nil)
    }

    func record(cutoff: String?, by: String?, note: String?) -> PolicyInForce.Cooldown {
        PolicyInForce.Cooldown(minReleaseAge: age.text, cutoff: cutoff, enforcedBy: by, note: note)
    }
}

struct CooldownPlan {
    /// Variables set for the child.
    var environment: [String: String]
    /// Options added to the child's command line.
    var arguments: [String] = []
    var record: PolicyInForce.Cooldown
    /// Set when the command must not run: the one `pkgtrail:` line.
    var refusal: String?
    /// A line for stderr when it runs without the cooldown.
    var warning: String?
    /// Said (and noted in the event) when the tool fails with the cut-off
    /// in force: what the failure may be owed to.
    var onFailure: String? = nil
    /// Asked when the tool fails with the cut-off in force: the `blocked by
    /// policy` lines for what the cooldown kept out, if it can tell.
    var explainFailure: (() -> [String])? = nil
}

/// Options pkgtrail adds to a tool's command line go before a `--`, which
/// ends the options (what follows is the user's and stays as typed).
enum ChildArguments {
    static func adding(_ extra: [String], to argv: [String]) -> [String] {
        guard !extra.isEmpty else { return argv }
        var out = argv
        out.insert(contentsOf: extra, at: argv.firstIndex(of: "--") ?? argv.endIndex)
        return out
    }
}

/// The policy files, read for every recorded command: the administrator's
/// at a fixed place (only root may point elsewhere, for tests and images),
/// then the user's. A file that cannot be read as a policy stops the
/// command: a typo must not turn protection off without a word.
public enum PolicyFiles {
    public static let adminPath = "/etc/pkgtrail/policy.toml"

    public static func paths(env: ProcessEnvironment) -> (admin: String, user: String) {
        let admin = geteuid() == 0 ? env.nonEmpty("PKGTRAIL_ADMIN_POLICY") ?? adminPath : adminPath
        let configHome = env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config"
        return (admin, configHome + "/pkgtrail/policy.toml")
    }

    public static func load(env: ProcessEnvironment) throws -> Policy {
        let (admin, user) = paths(env: env)
        return Policy(admin: try read(admin), user: try read(user))
    }

    public static func read(_ path: String) throws -> Policy.File? {
        guard FileSystem.exists(path) else { return nil }
        guard let bytes = FileSystem.read(path, limit: 1 << 20) else {
            throw PkgtrailError(.unreadable, "\(path): cannot read the policy file (check its permissions)")
        }
        return try Policy.File(path: path, bytes: bytes)
    }
}

/// How a command takes constraint files, so that denied versions are out of
/// its resolver's reach: a variable holding a space-separated list (pip
/// adds its command line's `-c` to it; uv replaces it with them, so for uv
/// with `-c` on the command line the file goes there too), or not at all.
enum ConstraintChannel {
    case variable(String, existing: String?)
    case argument
    case none(String)
}

/// A requirement's project name and the version it pins with `==`, as
/// written on a command line or in a requirements file; a wheel file's from
/// its name. Nil for what names no project (options, URLs, directories).
enum RequirementName {
    /// The PEP 503 name a requirement string starts with (PEP 508: a name, then extras, a specifier, a marker).
    static func name(_ requirement: some StringProtocol) -> String {
        PackageName.normalize(String(requirement.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }))
    }

    static func parse(_ spec: String) -> (name: String, version: String?)? {
        let s = spec.trimmingSpaces
        if s.hasSuffix(".whl") {
            let parts = (s.split(separator: "/").last ?? "").split(separator: "-")
            guard parts.count >= 5 else { return nil }
            return (PackageName.normalize(String(parts[0])), String(parts[1]))
        }
        guard let first = s.first, first.isLetter || first.isNumber, !s.contains("://"), !s.hasPrefix(".") else {
            return nil
        }
        let nameEnd = s.firstIndex { c in !(c.isLetter || c.isNumber || "-_.".contains(c)) } ?? s.endIndex
        var rest = s[nameEnd...].drop { $0 == " " }
        if rest.first == "[", let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: close)...] }
        rest = rest.drop { $0 == " " }
        var version: String?
        if rest.hasPrefix("=="), !rest.hasPrefix("===") {
            let v = rest.dropFirst(2).drop { $0 == " " }.prefix { $0 != "," && $0 != ";" && $0 != " " }
            if !v.contains("*") && !v.isEmpty { version = String(v) }
        }
        return (name(s[..<nameEnd]), version)
    }

    /// Options that name requirement and constraint files, for pip and uv alike.
    static let fileOptions: Set<String> = ["-r", "--requirement", "-c", "--constraint"]

    /// What the files a command installs from or within names: those on its
    /// command line and those a variable lists (space-separated, as pip and
    /// uv read `PIP_CONSTRAINT` and `UV_CONSTRAINT`).
    static func fromFiles(_ paths: [String], listedIn variable: String?, cwd: String) -> [(
        name: String, version: String?
    )] {
        let listed = (variable ?? "").split(separator: " ").map(String.init)
        return (paths + listed).flatMap { fromFile(FileSystem.absolute($0, cwd: cwd)) }
    }

    /// What a file about to be installed from names: a requirements or
    /// constraints file (options and comments skipped; `-r` not followed),
    /// or a PEP 751 lock (`pylock.toml`, `pylock.NAME.toml`).
    static func fromFile(_ path: String) -> [(name: String, version: String?)] {
        guard let text = FileSystem.readText(path) else { return [] }
        let base = FileSystem.basename(path)
        if base.hasPrefix("pylock."), base.hasSuffix(".toml") { return fromPylock(text) }
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let t = String(content.trimmingSpaces)
            return t.hasPrefix("-") ? nil : parse(t)
        }
    }

    /// A PEP 751 lock's `[[packages]]`, each `name` and `version` (the
    /// lines of the entry itself, not of its `[[packages.wheels]]` and other sub-tables).
    static func fromPylock(_ text: String) -> [(name: String, version: String?)] {
        var out: [(name: String, version: String?)] = []
        var inPackage = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.hasPrefix("[") {
                inPackage = line == "[[packages]]"
                if inPackage { out.append(("", nil)) }
                continue
            }
            guard inPackage, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSpaces
            var value = line[line.index(after: eq)...].trimmingSpaces
            guard value.count >= 2, value.first == "\"" || value.first == "'", value.last == value.first else {
                continue
            }
            value = value.dropFirst().dropLast()
            if key == "name" { out[out.count - 1].name = PackageName.normalize(String(value)) }
            if key == "version" { out[out.count - 1].version = String(value) }
        }
        return out.filter { !$0.name.isEmpty }
    }
}
