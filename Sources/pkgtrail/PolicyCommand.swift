import ArgumentParser
import PkgtrailAdvisories
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "What pkgtrail enforces around pip and uv: the policy in force, and its files checked.",
        discussion: """
            /etc/pkgtrail/policy.toml (the administrator's) and ~/.config/pkgtrail/policy.toml (yours, \\
            which can only tighten it). `min_release_age = "48h"`: releases younger than that are not \\
            installed (pip 26.0 and later through PIP_UPLOADED_PRIOR_TO, `uv pip install|sync|compile` \\
            through UV_EXCLUDE_NEWER). `on_unsupported = "warn"` or `"block"`: what happens where the \\
            cut-off cannot be handed over. `deny = ["litellm==1.82.8"]` and `deny_advisories = ["MAL"]` (what \\
            imported advisories with those id prefixes name): denied versions become constraints for the \\
            resolver, denied projects and what a command or lock names are refused before it runs. Every \\
            recorded event names the policy in force.
            """,
        subcommands: [PolicyShowCommand.self, PolicyCheckCommand.self])
}

struct PolicyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "The policy in force, where each setting comes from, and what it does now.")

    @Flag(help: "Print the policy as JSON.")
    var json = false

    func run() throws {
        let env = ProcessEnvironment.current()
        let policy: Policy
        do { policy = try PolicyFiles.load(env: env) } catch { throw fail("\(error)") }
        let paths = PolicyFiles.paths(env: env)
        let cutoff = policy.cutoff(nowMilliseconds: Clock.nowMilliseconds())
        let advisories = policy.advisorySelections.map { AdvisoryShown($0, env: env) }
        if json {
            return emitJSON(
                try CanonicalJSON.encode(
                    .object([
                        "files": .array(
                            [paths.admin, paths.user].map { path in
                                let file = policy.files.first { $0.path == path }
                                return .object([
                                    "path": .string(path), "present": .bool(file != nil),
                                    "sha256": .optional(file?.sha256)
                                ])
                            }),
                        "min_release_age": policy.minReleaseAge.map { a in
                            .object(["value": .string(a.value.text), "from": .string(a.path)])
                        } ?? .null,
                        "on_unsupported": .object([
                            "value": .string(policy.unsupported.rawValue), "from": .optional(policy.onUnsupported?.path)
                        ]),
                        "cutoff_now": .optional(cutoff),
                        "deny": .strings(policy.deny.map(\.description)),
                        "deny_advisories": .array(advisories.map(\.json)),
                        "constraints": .strings(policy.constraints),
                        "known_startup_hooks": .strings(policy.knownStartupHooks.sorted()),
                        "block_new_startup_hooks": .bool(policy.blocksNewStartupHooks)
                    ])))
        }
        for path in [paths.admin, paths.user] {
            let file = policy.files.first { $0.path == path }
            emit(Terminal.safe("file            \(path)  " + (file.map { "sha256 \($0.sha256)" } ?? "(none)")))
        }
        if !policy.deny.isEmpty {
            let all = policy.deny.map(\.description)
            let more = all.count > 20 ? ", … \(all.count - 20) more (--json lists them all)" : ""
            emit(Terminal.safe("deny            \(all.prefix(20).joined(separator: ", "))\(more)"))
            emit("  a denied version becomes a `name!=version` constraint for pip and uv (beside your own);")
            emit("  a denied project, or a denied version the command or a uv.lock names, is refused before it runs")
        }
        for a in advisories {
            emit(
                Terminal.safe(
                    "deny_advisories \(a.selection.prefixes.joined(separator: ", "))  (from \(a.selection.file))"))
            emit(Terminal.safe("  " + a.text))
        }
        if let block = policy.blockNewStartupHooks, block.value {
            emit(Terminal.safe("block_new_startup_hooks  true  (from \(block.path))"))
            emit("  an install that adds an unknown executable .pth exits 1, names it, and leaves it in place")
        }
        if !policy.knownStartupHooks.isEmpty {
            let n = policy.knownStartupHooks.count
            emit("known_startup_hooks  \(n) .pth digests vouched for, beside the built-in list")
        }
        guard let age = policy.minReleaseAge, let cutoff else {
            emit("no cooldown: no policy file sets min_release_age")
            return
        }
        emit(Terminal.safe("min_release_age \(age.value.text)  (from \(age.path))"))
        let from = policy.onUnsupported.map { "from \($0.path)" } ?? "default"
        emit(Terminal.safe("on_unsupported  \(policy.unsupported.rawValue)  (\(from))"))
        emit("cut-off now     \(cutoff): releases uploaded after it are not installed")
        let exempt = policy.exemptions
        if !exempt.isEmpty {
            let text = exempt.map { e in e.age.map { "\(e.name) (still \($0.text))" } ?? e.name }
            emit(Terminal.safe("cooldown_exempt \(text.joined(separator: ", ")) (uv only)"))
        }
        emit("  pip 26.0+                      PIP_UPLOADED_PRIOR_TO (every package: pip has no per-package form)")
        emit("  uv pip install|sync|compile    UV_EXCLUDE_NEWER (unless a uv config file sets exclude-newer)")
        emit("  pip < 26.0, other uv commands  not enforced: on_unsupported (\(policy.unsupported.rawValue)) decides")
        emit("  an index without upload times  (PEP 700; pip would fail) likewise: asked once a day")
        emit("  a stricter cut-off you set (command line, environment, pip config) is kept; a later one on the")
        emit("  command line is refused")
    }
}

struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check policy files (default: both in force); exit 2 on the first problem.")

    @Argument(help: "Policy files to check (default: the administrator's and yours, where present).")
    var files: [String] = []

    func run() throws {
        let env = ProcessEnvironment.current()
        let paths = PolicyFiles.paths(env: env)
        let targets = files.isEmpty ? [paths.admin, paths.user].filter(FileSystem.exists) : files
        for path in targets {
            guard FileSystem.exists(path) else { throw fail("\(path): no such file") }
            do { _ = try PolicyFiles.read(path) } catch { throw fail("\(error)") }
            emit(Terminal.safe("ok: \(path)"))
        }
        if targets.isEmpty { emit("no policy files: nothing is enforced") }
    }
}

/// One `deny_advisories` selection as `policy show` reports it: read as a
/// recorded command reads it (its store, the import, how many advisories
/// it selects and how many constraint lines they make), or why it cannot be.
struct AdvisoryShown {
    let selection: Policy.AdvisorySelection
    let path: String
    let loaded: Result<AdvisoryDenial.Source, AdvisoryDenial.Problem>

    init(_ selection: Policy.AdvisorySelection, env: ProcessEnvironment) {
        self.selection = selection
        path = AdvisoryDenial.storePath(selection, env: env)
        loaded = AdvisoryDenial.load(selection, env: env)
    }

    var source: AdvisoryDenial.Source? { try? loaded.get() }

    var text: String {
        switch loaded {
        case .failure(let problem): return problem.text
        case .success(let s):
            return "\(path): \(s.selected) advisories selected (imported \(s.generation.imported), newest "
                + "modified \(s.generation.newestModified ?? "-")); \(s.constraints.count) single malicious "
                + "versions as constraint lines, the rest checked by name before and after each command"
        }
    }

    var json: JSONValue {
        let s = source
        var problem: String?
        if case .failure(let p) = loaded { problem = p.text }
        return .object([
            "prefixes": .strings(selection.prefixes), "from": .string(selection.file), "store": .string(path),
            "imported": .optional(s?.generation.imported), "newest_modified": .optional(s?.generation.newestModified),
            "selected": s.map { .int(Int64($0.selected)) } ?? .null,
            "constraints": s.map { .int(Int64($0.constraints.count)) } ?? .null, "problem": .optional(problem)
        ])
    }
}
