import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// `pkgtrail scan`: compare environments with the log on demand (cron, a CI
/// step) and record what changed outside the shims as drift events.
public enum EnvironmentScan {
    public struct Finding: Sendable {
        public let environment: Environment
        /// The drift event recorded, nil when the environment matched the log.
        public let drift: Event?
        /// With `--files`: installed files checked against their RECORD.
        public let files: FileVerifier.Result?
    }

    /// Scans `paths` (venvs, interpreters, prefixes the log knows, or plain
    /// site directories), or every environment the log knows when empty.
    /// `progress`: files re-hashed so far, over every environment (with `files`).
    public static func run(
        paths: [String], files: Bool = false, sink: EventSink, env: ProcessEnvironment,
        progress: ((Int) -> Void)? = nil
    ) throws -> [Finding] {
        let store = try sink.open().get()
        let actor = ActorProbe.current(env: env)
        let known = try store.knownEnvironments(host: actor.host)
        let cwd = FileSystem.cwd()
        let targets = try paths.isEmpty ? known : paths.map { try resolve($0, known: known, cwd: cwd, env: env) }
        var findings: [Finding] = []
        var events: [Event] = []
        var hashed = 0
        for environment in targets {
            let snapshot = SiteScanner.scan(environment.siteDirs).snapshot
            let drift = try DriftDetector.check(
                store: store, environment: environment, snapshot: snapshot,
                actor: actor, now: Clock.now(), .init(observer: .scan))
            if let drift { events.append(drift) }
            let before = hashed
            let checked =
                files
                ? FileVerifier.verify(siteDirs: environment.siteDirs, snapshot: snapshot) { n in
                    hashed = before + n
                    progress?(hashed)
                } : nil
            findings.append(Finding(environment: environment, drift: drift, files: checked))
        }
        let stored = try store.append(events)
        var sealed = [String: Event]()
        for s in stored { sealed[s.event.id] = s.event }
        return findings.map {
            Finding(environment: $0.environment, drift: $0.drift.map { sealed[$0.id] ?? $0 }, files: $0.files)
        }
    }

    /// The same site directories the log used for a prefix, so a scan never
    /// reports drift merely for looking in other places.
    static func resolve(_ path: String, known: [Environment], cwd: String, env: ProcessEnvironment) throws
        -> Environment
    {
        let abs = FileSystem.absolute(path, cwd: cwd)
        guard let st = FileSystem.stat(abs) else {
            if let k = known.first(where: { $0.prefix == abs }) { return k }  // removed since: all of it is drift
            throw PkgtrailError(
                .missing, "\(path): no such environment; give a venv, an interpreter or a site-packages directory")
        }
        var info: PythonInfo?
        if st.isDirectory {
            info = PythonLocator.venv(python: FileSystem.join(abs, "bin/python"))
        } else if FileSystem.isExecutableFile(abs) {
            info = PythonLocator.describe(python: abs)
        }
        let prefix = info?.prefix ?? abs
        if let k = known.first(where: { $0.prefix == prefix }) { return k }
        if let info { return info.environment }
        guard st.isDirectory else {
            throw PkgtrailError(.invalidInput, "\(path): not a Python environment or directory")
        }
        return Environment(
            prefix: abs, python: nil, pythonVersion: nil, platform: PythonLocator.platform, isVenv: false,
            siteDirs: [abs])
    }
}
