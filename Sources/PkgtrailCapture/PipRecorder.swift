#if canImport(Glibc)
import Glibc
#endif
import PkgtrailCore
import PkgtrailStore

/// Records one environment-changing pip command: snapshot, run, snapshot,
/// read pip's report, and turn the difference into an install event.
struct PipRecorder {
    let tool: String
    let realTool: String
    let arguments: [String]
    let env: ProcessEnvironment
    let cwd: String
    let childEnvironment: [String: String]
    let sink: EventSink

    struct Result {
        var exit: ProcessRunner.Exit
        /// A drift event first when the environment changed outside the shims, then the command's own.
        var events: [Event]
        var log: Swift.Result<TrailStore, Error>
    }

    /// pip added `--report` (and so `PIP_REPORT`) in 22.2.
    static func supportsReport(_ version: String?) -> Bool {
        guard let v = version.flatMap(Version.init) else { return true }
        return v >= Version("22.2")!
    }

    /// Interrupted: stopped by a signal someone sent (or typed), or exiting
    /// non-zero after one reached the wrapper; a crash (SIGSEGV, SIGABRT…) is a failure.
    static func outcome(_ exit: ProcessRunner.Exit) -> Command.Outcome {
        let stopSignals: Set<Int32> = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL]
        if let sig = exit.signal { return stopSignals.contains(sig) || exit.interruptedBy != nil ? .interrupted : .failed }
        if exit.status == 0 { return .ok }
        return exit.interruptedBy != nil ? .interrupted : .failed
    }

    func run() throws -> Result {
        let started = Clock.now()
        let cmd = PipCommand(arguments: arguments)
        let target = PipTarget.resolve(cmd, realPip: realTool, env: env, cwd: cwd)
        var notes = target.notes
        let before = SiteScanner.scan(target.scanDirs)
        let actor = ActorProbe.current(env: env)
        let log = sink.open()
        var drift: Event?
        if case .success(let store) = log, !target.scanDirs.isEmpty {
            do {
                drift = try DriftDetector.check(store: store, environment: target.environment, snapshot: before.snapshot,
                                                actor: actor, now: started)
            } catch {
                notes.append("drift was not checked: \(error)")
            }
        }
        let pipVersion = target.pipSiteDir == target.environment.siteDirs.first
            ? before.snapshot.distributions["pip"]?.version : PipTarget.pipVersion(in: target.pipSiteDir)

        var overrides = childEnvironment
        overrides["PKGTRAIL_ACTIVE"] = "1"
        var report = ReportPlan.none
        if cmd.subcommand == "install" {
            report = ReportPlan.choose(cmd: cmd, env: env, cwd: cwd, pipVersion: pipVersion)
            if case .injected(let path, _) = report { overrides["PIP_REPORT"] = path }
        }
        defer { report.cleanUp() }

        let exit = try ProcessRunner.run(path: realTool, argv: [tool] + arguments,
                                         environment: ProcessRunner.environment(setting: overrides))
        let finished = Clock.now()

        let after = SiteScanner.scan(target.scanDirs)
        notes += before.notes + after.notes.filter { !before.notes.contains($0) }
        var parsedReport: PipReport?
        switch report.read() {
        case .success(let r): parsedReport = r
        case .failure(let why): if let note = why.note { notes.append(note) }
        }
        let (changes, hooks) = ChangeBuilder.build(
            deltas: before.snapshot.deltas(to: after.snapshot),
            hooks: ChangeBuilder.hooks(before: before.snapshot, after: after.snapshot), report: parsedReport,
            uninstallNames: cmd.subcommand == "uninstall" ? Set(cmd.positionals.map(PipReport.requirementName)) : [])
        let event = Event(
            id: Clock.uuid(), kind: .install, started: started, finished: finished, actor: actor,
            command: Command(tool: "pip", toolVersion: parsedReport?.pipVersion ?? pipVersion,
                             argv: Redaction.redactArgv([tool] + arguments), cwd: cwd,
                             exitStatus: Int64(exit.status), outcome: Self.outcome(exit)),
            environment: target.environment,
            sources: PipSources.resolve(cmd, env: env, prefix: target.environment.isVenv ? target.environment.prefix : nil),
            changes: changes, startupHooks: hooks,
            stateBefore: before.snapshot.stateDigest, stateAfter: after.snapshot.stateDigest,
            startupBefore: before.snapshot.startupDigest, startupAfter: after.snapshot.startupDigest, notes: notes)
        return Result(exit: exit, events: (drift.map { [$0] } ?? []) + [event], log: log)
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
            if own == "-" { return .unavailable("the installation report went to stdout (--report -); artifact hashes were not captured") }
            return .user(FileSystem.absolute(own, cwd: cwd))
        }
        guard PipRecorder.supportsReport(pipVersion) else {
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
            return .failure(Missing(note: "pip's installation report was unreadable (\(error)); artifact hashes were not captured"))
        }
    }

    func cleanUp() {
        if case .injected(let path, let directory) = self {
            unlink(path)
            rmdir(directory)
        }
    }
}
