import PkgtrailCore
import PkgtrailSystem

/// uv's part of a recording (`uv pip install|uninstall|sync`): the target
/// environment as uv chooses it, and artifact hashes from what uv exposes —
/// the file itself for local wheels, uv's cache for index installs.
/// uv's output is never touched: it prints data on stdout.
final class UvAdapter: ToolAdapter {
    let tool = "uv"
    let target: CaptureTarget
    private let uv: UvInvocation

    init(_ uv: UvInvocation) {
        self.uv = uv
        target = Self.resolve(uv.cmd, env: uv.env, cwd: uv.cwd)
    }

    /// docs/FACTS.md: `--python`/`UV_PYTHON`, else `VIRTUAL_ENV`, else `CONDA_PREFIX`,
    /// else `.venv` in the working directory or a parent; `--system` takes the
    /// first python on PATH; `--target`/`--prefix` redirect the files.
    static func resolve(_ cmd: UvCommand, env: ProcessEnvironment, cwd: String) -> CaptureTarget {
        let path = env.nonEmpty("PATH") ?? ""
        var notes: [String] = []
        var python: String?
        if let request = cmd.last("--python", "-p") ?? env.nonEmpty("UV_PYTHON") {
            if request.contains("/") {
                python = PythonLocator.interpreter(fromOption: request, searchPath: path, cwd: cwd)
            } else {
                notes.append(
                    "--python \(Redaction.redactText(request)) is a version request; the active or nearest virtual "
                        + "environment was assumed"
                )
            }
        }
        let system = cmd.has("--system") || ["1", "true"].contains(env.nonEmpty("UV_SYSTEM_PYTHON")?.lowercased() ?? "")
        if python == nil && system {
            // uv's --system skips virtual environments: the first non-venv python on PATH.
            python = systemPython(path: path, cwd: cwd)
        }
        if python == nil, let venv = env.nonEmpty("VIRTUAL_ENV") ?? env.nonEmpty("CONDA_PREFIX") {
            python = FileSystem.join(FileSystem.absolute(venv, cwd: cwd), "bin/python")
        }
        if python == nil {
            var dir = cwd
            while true {
                let candidate = FileSystem.join(dir, ".venv/bin/python")
                if FileSystem.exists(candidate) {
                    python = candidate
                    break
                }
                if dir == "/" { break }
                dir = FileSystem.dirname(dir)
            }
        }
        guard let python, let info = PythonLocator.describe(python: python) else {
            return .unknown(
                python: python, note: "uv found no target environment pkgtrail could read; changes were not captured")
        }
        var environment = info.environment
        if let t = cmd.last("--target") {
            let dir = FileSystem.absolute(t, cwd: cwd)
            environment = Environment(
                prefix: dir, python: info.python, pythonVersion: info.version,
                platform: environment.platform, isVenv: false, siteDirs: [dir])
        } else if let p = cmd.last("--prefix") {
            let prefix = FileSystem.absolute(p, cwd: cwd)
            let xy = info.version.map(Version.majorMinor) ?? "3"
            environment = Environment(
                prefix: prefix, python: info.python, pythonVersion: info.version,
                platform: environment.platform, isVenv: false,
                siteDirs: ["\(prefix)/lib/python\(xy)/site-packages"])
        }
        return CaptureTarget(environment: environment, scanDirs: environment.siteDirs, notes: notes)
    }

    static func systemPython(path: String, cwd: String) -> String? {
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            for name in ["python3", "python"] {
                let candidate = FileSystem.join(dir.isEmpty ? cwd : String(dir), name)
                if FileSystem.isExecutableFile(candidate), PythonLocator.venv(python: candidate) == nil {
                    return candidate
                }
            }
        }
        return nil
    }

    func prepare(before: Snapshot) -> [String: String] { [:] }

    func requested() -> [(name: String, version: String?)] {
        let files =
            uv.cmd.options.filter { RequirementName.fileOptions.contains($0.name) }.compactMap(\.value)
            + (uv.cmd.action == "install" ? [] : uv.cmd.positionals)
        return (uv.cmd.action == "install" ? uv.cmd.positionals.compactMap(RequirementName.parse) : [])
            + RequirementName.fromFiles(files, listedIn: uv.env.nonEmpty("UV_CONSTRAINT"), cwd: uv.cwd)
    }

    /// `UV_CONSTRAINT`, appended to; uv replaces the variable with `-c` from
    /// the command line, so beside those the file goes on the command line too.
    var resolves: Bool { ["install", "sync", "compile"].contains(uv.cmd.action) }

    func constraintChannel() -> ConstraintChannel {
        guard resolves else { return .none("nothing to resolve") }
        if uv.cmd.has("-c", "--constraint") { return .argument }
        return .variable("UV_CONSTRAINT", existing: uv.env.nonEmpty("UV_CONSTRAINT"))
    }

    /// `uv pip install|sync` take a cut-off from `UV_EXCLUDE_NEWER`. uv ranks
    /// that variable above its config files, so where a config file sets its
    /// own `exclude-newer` pkgtrail does not override it (it could be the
    /// stricter one): the cooldown is then unsupported for the command.
    func cooldown(_ rule: CooldownRule) -> CooldownPlan {
        guard resolves else { return rule.nothingToResolve }
        let argv = uv.cmd.last("--exclude-newer")
        if argv == nil, let file = Self.configSettingExcludeNewer(env: uv.env, cwd: uv.cwd) {
            return rule.unsupported("uv's own exclude-newer in \(file) is in force; pkgtrail does not override it")
        }
        var plan = rule.plan(
            variable: "UV_EXCLUDE_NEWER", option: "--exclude-newer", argv: argv,
            environment: uv.env.nonEmpty("UV_EXCLUDE_NEWER"), config: nil)
        // Exemptions lift pkgtrail's own cut-off only, never one the user set.
        if plan.record.enforcedBy == "UV_EXCLUDE_NEWER", !rule.exemptions.isEmpty {
            plan.arguments = rule.uvExemptionArguments
            plan.record.note =
                "exempt: "
                + rule.exemptions.map { e in e.cutoff.map { "\(e.name) (\($0))" } ?? e.name }
                .joined(separator: ", ")
        }
        return plan
    }

    /// The first of uv's config files (as uv finds them) that mentions `exclude-newer`.
    static func configSettingExcludeNewer(env: ProcessEnvironment, cwd: String) -> String? {
        if env.nonEmpty("UV_NO_CONFIG") != nil { return nil }
        var files: [String] = []
        if let explicit = env.nonEmpty("UV_CONFIG_FILE") {
            files.append(FileSystem.absolute(explicit, cwd: cwd))
        } else {
            var dir = cwd
            while true {
                let found = ["uv.toml", "pyproject.toml"].map { FileSystem.join(dir, $0) }.filter(FileSystem.exists)
                if !found.isEmpty {
                    files += found
                    break
                }
                if dir == "/" { break }
                dir = FileSystem.dirname(dir)
            }
            files.append((env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config") + "/uv/uv.toml")
            files += (env.nonEmpty("XDG_CONFIG_DIRS") ?? "/etc/xdg").split(separator: ":").map { "\($0)/uv/uv.toml" }
            files.append("/etc/uv/uv.toml")
        }
        return files.first { FileSystem.readText($0)?.contains("exclude-newer") == true }
    }

    func finish(_ run: ObservedRun) -> ToolFindings {
        let artifacts = uv.cacheArtifacts
        let cmd = uv.cmd
        // Named on the command line: requirements (`pkg`, `pkg==1`, `pkg @ URL`),
        // and a bare path or URL by its archive's filename.
        let named = Set(
            cmd.positionals.map { arg in
                arg.contains(" @ ") || !(arg.contains("/") || arg.hasSuffix(".whl"))
                    ? RequirementName.name(arg)
                    : PackageName.normalize(String(FileSystem.basename(arg).split(separator: "-").first ?? ""))
            })
        let fromFiles = cmd.has("-r", "--requirement", "-e", "--editable") || cmd.action == "sync"
        let built = ChangeBuilder.build(
            deltas: run.deltas, hooks: run.hooks, artifacts: artifacts,
            requestedNames: fromFiles ? nil : named)
        return ToolFindings(
            changes: built.changes, hooks: built.hooks, toolVersion: uv.version, sources: uv.sources,
            notes: built.notes)
    }
}
