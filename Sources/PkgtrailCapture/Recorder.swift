import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Where a command installs, resolved before it runs.
struct CaptureTarget {
    var environment: Environment
    /// The site directories to snapshot.
    var scanDirs: [String]
    var notes: [String]

    static func unknown(python: String?, note: String) -> CaptureTarget {
        CaptureTarget(
            environment: Environment(
                prefix: "unknown", python: python, pythonVersion: nil,
                platform: PythonLocator.platform, isVenv: false, siteDirs: []),
            scanDirs: [], notes: [note])
    }
}

/// What a tool (pip, uv) adds to the shared recording flow.
protocol ToolAdapter: AnyObject {
    /// The event's `command.tool`.
    var tool: String { get }
    var target: CaptureTarget { get }
    /// Extra environment for the child, decided after the before-snapshot.
    func prepare(before: Snapshot) -> [String: String]
    /// Where to look after the run, when the command may have created the
    /// environment (uv sync makes `.venv`); nil to keep `target`.
    func targetAfterRun() -> CaptureTarget?
    /// True when `targetAfterRun` found an environment the command only used
    /// (a cached ephemeral one): it is recorded as unchanged, not as new.
    var reusedEnvironment: Bool { get }
    /// Turns what changed into the event's parts.
    func finish(_ observed: ObservedRun) -> ToolFindings
    func cleanUp()
    /// How this command takes a cooldown's cut-off (asked after `prepare`).
    func cooldown(_ rule: CooldownRule) -> CooldownPlan
    /// What the command is about to install, where that is known before it runs.
    func requested() -> [(name: String, version: String?)]
    /// How it takes constraint files.
    func constraintChannel() -> ConstraintChannel
}

extension ToolAdapter {
    func requested() -> [(name: String, version: String?)] { [] }
    func constraintChannel() -> ConstraintChannel {
        .none("`\(tool)` commands of this kind take no constraints: what they installed is checked afterwards")
    }
    func cooldown(_ rule: CooldownRule) -> CooldownPlan {
        rule.unsupported("pkgtrail cannot hand a cut-off to `\(tool)` commands of this kind")
    }
    func targetAfterRun() -> CaptureTarget? { nil }
    var reusedEnvironment: Bool { false }
    func cleanUp() {}
}

struct ObservedRun {
    var before: Snapshot
    var after: Snapshot
    var deltas: [DistributionDelta]
    var hooks: [StartupHook]
    var exit: ProcessRunner.Exit
}

struct ToolFindings {
    var changes: [Change]
    var hooks: [StartupHook]
    var toolVersion: String?
    var sources: [Source]
    var notes: [String]
    var lockfile: Lockfile? = nil
    var tool: ToolInstallation? = nil
    /// Other environments the same command used (the overlay of `uv run --with`),
    /// each recorded as its own install event after the main one.
    var alsoUsed: [SecondaryEnvironment] = []
}

struct SecondaryEnvironment {
    var environment: Environment
    var before: Snapshot
    var after: Snapshot
    var changes: [Change]
    var hooks: [StartupHook]
    var notes: [String]
}

/// The flow every recorded command shares: snapshot, compare with the log
/// (drift), run, snapshot, and turn the difference into an install event.
struct Recorder {
    let realTool: String
    let argv: [String]
    let env: ProcessEnvironment
    let cwd: String
    let childEnvironment: [String: String]
    let sink: EventSink
    var policy = Policy(admin: nil, user: nil)

    struct Result {
        var exit: ProcessRunner.Exit
        /// A drift event first when the environment changed outside the shims, then the command's own.
        var events: [Event]
        var log: Swift.Result<TrailStore, Error>
    }

    /// Interrupted: stopped by a signal someone sent (or typed), or exiting
    /// non-zero after one reached the wrapper; a crash (SIGSEGV, SIGABRT…) is a failure.
    static func outcome(_ exit: ProcessRunner.Exit) -> Command.Outcome {
        let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL]
        if let sig = exit.signal {
            return stopSignals.contains(sig) || exit.interruptedBy != nil ? .interrupted : .failed
        }
        if exit.status == 0 { return .ok }
        return exit.interruptedBy != nil ? .interrupted : .failed
    }

    func run(_ adapter: ToolAdapter) throws -> Result {
        defer { adapter.cleanUp() }
        let started = Clock.now()
        let target = adapter.target
        var notes = target.notes
        let before = SiteScanner.scan(target.scanDirs)
        PhaseTrace.mark("before")
        var overrides = childEnvironment.merging(adapter.prepare(before: before.snapshot)) { $1 }
        overrides["PKGTRAIL_ACTIVE"] = "1"
        var inForce: PolicyInForce?
        var onFailure: [String] = []
        var explainFailure: (() -> [String])?
        var childArgv = argv
        var denyRule: DenyRule?
        if !policy.isEmpty {
            let plan = CooldownRule(policy, nowMilliseconds: Timestamp.parse(started) ?? 0).map(adapter.cooldown)
            inForce = PolicyInForce(
                files: policy.files.map { PolicyInForce.FileRef(path: $0.path, sha256: $0.sha256) },
                cooldown: plan?.record)
            if let refusal = plan?.refusal {
                return refused(refusal, adapter: adapter, before: before.snapshot, notes: notes, policy: inForce)
            }
            if policy.hasDenyList {
                let rule = DenyRule(
                    policy, advisories: AdvisoryDenial(policy, env: env), stateDirectory: env.stateDirectory)
                denyRule = rule
                let deny = rule.plan(adapter.constraintChannel())
                inForce?.deny = deny.record
                var refusal = rule.refusal(adapter.requested())
                if let problem = rule.advisories.problems.first {
                    // The deny-list the policy asks for is not all there.
                    switch policy.whenUnsupported(problem) {
                    case .refuse(let why): refusal = refusal ?? "blocked by policy: \(why)"
                    case .warn(let why): Console.warning("deny-list not complete: \(why)")
                    }
                }
                if let refusal {
                    let note = [refusal, deny.record.note].compactMap { $0 }.joined(separator: "; ")
                    inForce?.deny?.note = note
                    return refused(refusal, adapter: adapter, before: before.snapshot, notes: notes, policy: inForce)
                }
                overrides.merge(deny.env) { $1 }
                childArgv = ChildArguments.adding(deny.argv, to: childArgv)
                if let by = deny.record.enforcedBy, rule.lines > 0 {
                    onFailure.append(
                        "\(adapter.tool) failed with the deny-list's \(rule.lines) constraint lines in force (\(by)); "
                            + "a conflict on a denied version is the policy's doing: see `pkgtrail policy show`")
                }
            }
            if let warning = plan?.warning { Console.warning(warning) }
            childArgv = ChildArguments.adding(plan?.arguments ?? [], to: childArgv)
            overrides.merge(plan?.environment ?? [:]) { $1 }
            onFailure = [plan?.onFailure].compactMap { $0 } + onFailure
            explainFailure = plan?.explainFailure
        }
        PhaseTrace.mark("policy")
        let child = try ProcessRunner.start(
            path: realTool, argv: childArgv,
            environment: ProcessRunner.environment(setting: overrides))
        PhaseTrace.mark("spawned")
        // While the tool runs: who, the log, drift against the before-snapshot,
        // and the WAL's first syncs, so that the append after it syncs once.
        let actor = ActorProbe.current(env: env)
        let log = sink.open()
        var drift: Event?
        if case .success(let store) = log {
            if !target.scanDirs.isEmpty {
                do {
                    drift = try DriftDetector.check(
                        store: store, environment: target.environment,
                        snapshot: before.snapshot, actor: actor, now: started, .init(observer: .recorder))
                } catch {
                    notes.append("drift was not checked: \(error)")
                }
            }
            try? store.startWAL()
        }
        PhaseTrace.mark("parallel")
        let exit = child.wait()
        PhaseTrace.mark("waited")
        if !onFailure.isEmpty, exit.status != 0, exit.signal == nil {
            // What the policy kept out, where the index can tell; else what may have failed the tool.
            let explained = explainFailure?() ?? []
            for line in explained { Console.error(line) }
            if explained.isEmpty { onFailure.forEach(Console.warning) }
            notes += explained.isEmpty ? onFailure : explained
        }
        let finished = Clock.now()
        let afterTarget = adapter.targetAfterRun() ?? target
        let after = SiteScanner.scan(afterTarget.scanDirs, reusing: before.snapshot)
        notes += before.notes + after.notes.filter { !before.notes.contains($0) }
        PhaseTrace.mark("after")
        let start = adapter.reusedEnvironment ? after : before
        let found = adapter.finish(
            ObservedRun(
                before: start.snapshot, after: after.snapshot, deltas: start.snapshot.deltas(to: after.snapshot),
                hooks: ChangeBuilder.hooks(before: start.snapshot, after: after.snapshot), exit: exit))
        PhaseTrace.mark("findings")
        if let denyRule {
            // Whatever got in anyway (a command no constraint reaches, a
            // version pip or uv was not told about) is said loudly and kept.
            let added = found.changes.compactMap { c -> (name: String, version: String?)? in
                guard let v = c.toVersion, c.action != .remove else { return nil }
                return (c.name, v)
            }
            inForce?.deny?.found = denyRule.denied(added).map { d in
                Console.error("DENIED BY POLICY and installed: \(d.what) \(d.why); remove it")
                return d.what.replacingOccurrences(of: " ", with: "==")
            }
        }
        var wrapperExit = exit
        if policy.blocksNewStartupHooks {
            let unknown = UnknownStartupHooks.check(found, policy: policy)
            inForce?.unknownStartupHooks = unknown.map(\.path)
            if !unknown.isEmpty && exit.status == 0 && exit.signal == nil {
                // The install succeeded and is recorded; the command as a whole does not pass.
                wrapperExit = .blocked
            }
        }
        let event = Event(
            id: Clock.uuid(), kind: .install, started: started, finished: finished, actor: actor,
            command: Command(
                tool: adapter.tool, toolVersion: found.toolVersion, argv: Redaction.redactArgv(argv),
                cwd: cwd, exitStatus: Int64(exit.status), outcome: Self.outcome(exit)),
            environment: afterTarget.environment, sources: found.sources, changes: found.changes,
            startupHooks: found.hooks,
            stateBefore: start.snapshot.stateDigest, stateAfter: after.snapshot.stateDigest,
            startupBefore: start.snapshot.startupDigest, startupAfter: after.snapshot.startupDigest,
            lockfile: found.lockfile, tool: found.tool, notes: notes + found.notes, policy: inForce)
        let secondary = found.alsoUsed.map { s in
            Event(
                id: Clock.uuid(), kind: .install, started: started, finished: finished, actor: actor,
                command: event.command, environment: s.environment, sources: found.sources, changes: s.changes,
                startupHooks: s.hooks, stateBefore: s.before.stateDigest, stateAfter: s.after.stateDigest,
                startupBefore: s.before.startupDigest, startupAfter: s.after.startupDigest, notes: s.notes)
        }
        return Result(exit: wrapperExit, events: (drift.map { [$0] } ?? []) + [event] + secondary, log: log)
    }

    /// The policy refused the command: it is not run, the user is told in
    /// one line, and the refusal is recorded (outcome `blocked`, exit 1).
    func refused(
        _ why: String, adapter: ToolAdapter, before: Snapshot, notes: [String], policy: PolicyInForce?
    ) -> Result {
        Console.error(why)
        let now = Clock.now()
        let log = sink.open()
        let target = adapter.target
        let event = Event(
            id: Clock.uuid(), kind: .install, started: now, finished: now, actor: ActorProbe.current(env: env),
            command: Command(
                tool: adapter.tool, toolVersion: nil, argv: Redaction.redactArgv(argv), cwd: cwd,
                exitStatus: Int64(ProcessRunner.Exit.blocked.status), outcome: .blocked),
            environment: target.environment, sources: [], changes: [], startupHooks: [],
            stateBefore: before.stateDigest, stateAfter: before.stateDigest, startupBefore: before.startupDigest,
            startupAfter: before.startupDigest, notes: notes, policy: policy)
        return Result(exit: .blocked, events: [event], log: log)
    }
}
