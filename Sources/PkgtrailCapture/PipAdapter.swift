import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// pip's part of a recording: its target, its installation report
/// (injected through `PIP_REPORT`) and its version from its own dist-info.
final class PipAdapter: ToolAdapter {
    let tool = "pip"
    let target: CaptureTarget
    private let cmd: PipCommand
    private let env: ProcessEnvironment
    private let cwd: String
    private let pipSiteDir: String?
    private var report = ReportPlan.none
    private var pipVersion: String?

    init(arguments: [String], launcher: PipTarget.Launcher, env: ProcessEnvironment, cwd: String) {
        cmd = PipCommand(arguments: arguments)
        let t = PipTarget.resolve(cmd, launcher: launcher, env: env, cwd: cwd)
        target = t.capture
        pipSiteDir = t.pipSiteDir
        self.env = env
        self.cwd = cwd
    }

    /// pip added `--report` (and so `PIP_REPORT`) in 22.2.
    static func supportsReport(_ version: String?) -> Bool {
        guard let v = version.flatMap(Version.init) else { return true }
        return v >= Version("22.2")!
    }

    func prepare(before: Snapshot) -> [String: String] {
        pipVersion =
            pipSiteDir == target.environment.siteDirs.first
            ? before.distributions["pip"]?.version : PipTarget.pipVersion(in: pipSiteDir)
        guard cmd.subcommand == "install" else { return [:] }
        report = ReportPlan.choose(cmd: cmd, env: env, cwd: cwd, pipVersion: pipVersion)
        if case .injected(let path, _) = report { return ["PIP_REPORT": path] }
        return [:]
    }

    func finish(_ run: ObservedRun) -> ToolFindings {
        var notes: [String] = []
        var parsed: PipReport?
        switch report.read() {
        case .success(let r): parsed = r
        case .failure(let why): if let note = why.note { notes.append(note) }
        }
        let built = ChangeBuilder.build(
            deltas: run.deltas, hooks: run.hooks, artifacts: parsed.map(PipReportArtifacts.init),
            requestedNames: cmd.subcommand == "uninstall" ? Set(cmd.positionals.map(RequirementName.name)) : nil)
        return ToolFindings(
            changes: built.changes, hooks: built.hooks, toolVersion: parsed?.pipVersion ?? pipVersion,
            sources: PipSources.resolve(cmd, env: env, config: pipConfig),
            notes: notes + built.notes)
    }

    func cleanUp() { report.cleanUp() }

    var resolves: Bool { ["install", "download", "wheel"].contains(cmd.subcommand ?? "") }

    func requested() -> [(name: String, version: String?)] { requestedItems }

    /// Read once: the deny-list and the index probe both ask, before pip runs.
    private lazy var requestedItems: [(name: String, version: String?)] = {
        guard resolves else { return [] }
        let files = cmd.options.filter { RequirementName.fileOptions.contains($0.name) }.compactMap(\.value)
        return cmd.positionals.compactMap(RequirementName.parse)
            + RequirementName.fromFiles(files, listedIn: env.nonEmpty("PIP_CONSTRAINT"), cwd: cwd)
    }()

    /// pip's config files, read once for the command (its sources and its cooldown).
    private lazy var pipConfig = PipSources.config(
        cmd, env: env, prefix: target.environment.isVenv ? target.environment.prefix : nil)

    /// On the command line, which pip adds to `PIP_CONSTRAINT` (and `--isolated` does not ignore).
    func constraintChannel() -> ConstraintChannel {
        resolves ? .argument : .none("pip \(cmd.subcommand ?? "") resolves nothing")
    }

    /// pip 26.0 added `--uploaded-prior-to` (`PIP_UPLOADED_PRIOR_TO`). It has no
    /// per-package form, so a cooldown applies to every package pip installs.
    func cooldown(_ rule: CooldownRule) -> CooldownPlan {
        guard resolves else { return rule.nothingToResolve }
        guard let v = pipVersion.flatMap(Version.init), v >= Version("26.0")! else {
            return rule.unsupported("pip \(pipVersion ?? "of unknown version") predates --uploaded-prior-to (26.0)")
        }
        let config = pipConfig.values["uploaded-prior-to"]?.last.map { value in
            (value, String((pipConfig.origin["uploaded-prior-to"] ?? "").dropFirst("config:".count)))
        }
        var plan = rule.plan(
            variable: "PIP_UPLOADED_PRIOR_TO", option: "--uploaded-prior-to", argv: cmd.last("--uploaded-prior-to"),
            environment: PipSources.isolated(cmd, env) ? nil : env.nonEmpty("PIP_UPLOADED_PRIOR_TO"), config: config)
        if !rule.exemptions.isEmpty, plan.record.inForce {
            plan.record.note = "cooldown_exempt does not apply to pip (its option has no per-package form)"
        }
        if !plan.environment.isEmpty, let without = indexWithoutUploadTimes(rule) {
            // pip would fail every install from it: the cooldown cannot be in force for this command.
            return rule.unsupported(
                "\(Redaction.redactText(without)) publishes no upload times (PEP 700), which pip needs to apply "
                    + "a cut-off")
        }
        if !plan.environment.isEmpty {
            plan.explainFailure = { [self] in keptOut(rule) }
            // Where the index could not be asked, pip's own failure says it.
            plan.onFailure =
                "pip failed with the cooldown's cut-off in force; an index without upload times (PEP 700) makes "
                + "pip fail so: see `pkgtrail policy show`"
        }
        return plan
    }
}

extension PipAdapter {
    /// The first index (of `index-url` and `extra-index-url`; PyPI, the
    /// default, publishes them) known to publish no upload times, asked
    /// about the first project the command names.
    func indexWithoutUploadTimes(_ rule: CooldownRule) -> String? {
        guard let python = target.environment.python, let project = requested().first?.name else { return nil }
        return indexURLs.first { url in
            IndexUploadTimes.answer(
                index: url, project: project, python: python, stateDirectory: env.stateDirectory,
                nowMilliseconds: rule.nowMilliseconds) == .no
        }
    }
}

extension PipAdapter {
    /// After a failure: the pinned requirements younger than the cut-off,
    /// each as `blocked by policy: NAME VERSION (uploaded N ago, cooldown 48h)`.
    func keptOut(_ rule: CooldownRule) -> [String] {
        guard let python = target.environment.python else { return [] }
        let indexes = indexURLs.isEmpty ? ["https://pypi.org/simple/"] : indexURLs
        var lines: [String] = []
        for (name, version) in requested() {
            guard let version else { continue }
            for index in indexes {
                let times = IndexUploadTimes.uploaded(index: index, project: name, versions: [version], python: python)
                guard let t = times[version].flatMap(Timestamp.parse), t > rule.cutoffMilliseconds else { continue }
                let age = Policy.Age.spoken(milliseconds: rule.nowMilliseconds - t)
                lines.append("blocked by policy: \(name) \(version) (uploaded \(age) ago, cooldown \(rule.age.text))")
                break
            }
        }
        return lines
    }

    /// The command's `index-url` and `extra-index-url`s as configured, credentials and all
    /// (for asking the index only: never kept, never printed).
    var indexURLs: [String] {
        PipSources.resolve(cmd, env: env, config: pipConfig, redacted: false).filter {
            $0.kind == .index || $0.kind == .extraIndex
        }.compactMap(\.url)
    }
}

/// Where pip's installation report comes from: the user's own `--report` or
/// `PIP_REPORT` (read, never redirected), or one pkgtrail asks for through
/// `PIP_REPORT`, which leaves argv and pip's output untouched.
enum ReportPlan {
    case none
    case unavailable(String)
    case user(String)
    case injected(path: String, directory: String)

    struct Missing: Error {
        let note: String?
    }

    static func choose(cmd: PipCommand, env: ProcessEnvironment, cwd: String, pipVersion: String?) -> ReportPlan {
        if let own = cmd.last("--report") ?? env.nonEmpty("PIP_REPORT") {
            if own == "-" {
                return .unavailable(
                    "the installation report went to stdout (--report -); artifact hashes were not captured")
            }
            return .user(FileSystem.absolute(own, cwd: cwd))
        }
        guard PipAdapter.supportsReport(pipVersion) else {
            return .unavailable("pip \(pipVersion ?? "?") predates --report (22.2); artifact hashes were not captured")
        }
        let base = env.nonEmpty("TMPDIR") ?? "/tmp"
        var template = Array("\(base)/pkgtrail-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .unavailable("no private temporary directory for pip's report; artifact hashes were not captured")
        }
        let directory = String(cString: dir)
        return .injected(path: directory + "/report.json", directory: directory)
    }

    func read() -> Swift.Result<PipReport, Missing> {
        let path: String
        switch self {
        case .none: return .failure(Missing(note: nil))
        case .unavailable(let why): return .failure(Missing(note: why))
        case .user(let p): path = p
        case .injected(let p, _): path = p
        }
        guard let bytes = FileSystem.read(path) else {
            return .failure(Missing(note: "pip wrote no installation report; artifact hashes were not captured"))
        }
        do {
            return .success(try PipReport(bytes: bytes))
        } catch {
            return .failure(
                Missing(note: "pip's installation report was unreadable (\(error)); artifact hashes were not captured"))
        }
    }

    func cleanUp() {
        if case .injected(let path, let directory) = self {
            unlink(path)
            rmdir(directory)
        }
    }
}

/// pip's report as the artifact source ChangeBuilder consults.
struct PipReportArtifacts: ArtifactSource {
    let report: PipReport
    init(_ report: PipReport) { self.report = report }

    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        guard let item = report.items[name], item.version == version else { return nil }
        return ArtifactFacts(
            artifact: Artifact(
                url: item.url, sha256: item.sha256, filename: item.url?.urlFilename,
                hashSource: item.sha256 == nil ? nil : "pip-report"),
            requested: item.requested, requiredBy: report.requirers(of: name))
    }
}
