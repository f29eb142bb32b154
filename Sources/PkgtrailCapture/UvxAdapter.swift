import PkgtrailCore

/// `uvx` / `uv tool run`: an ephemeral environment in uv's cache
/// (`environments-v2/<key>/<hash>` → `archive-v0/<id>`, a venv). Links that
/// appear or change during the run name the environment uv built; when none
/// do, uv reused a cached one, identified by holding the package that ran
/// (recorded unchanged). Code from that environment ran either way, so every
/// run is an event.
final class UvxAdapter: ToolAdapter {
    let tool = "uv"
    let target: CaptureTarget
    private let cmd: UvCommand
    private let env: ProcessEnvironment
    private let cwd: String
    private let realUV: String
    private let environments: String
    private let package: String
    private var linksBefore: [String: String] = [:]
    private var found: (target: CaptureTarget, reused: Bool)?

    init(_ cmd: UvCommand, realUV: String, env: ProcessEnvironment, cwd: String) {
        self.cmd = cmd
        self.env = env
        self.cwd = cwd
        self.realUV = realUV
        environments = FileSystem.join(UvArtifacts.cacheRoot(cmd: cmd, env: env, cwd: cwd), "environments-v2")
        package = cmd.last("--package-name") ?? ""
        target = CaptureTarget(environment: Environment(prefix: "unknown", python: nil, pythonVersion: nil,
                                                        platform: PythonLocator.platform, isVenv: true, siteDirs: []),
                               scanDirs: [], notes: [])
    }

    /// link path -> resolved environment directory
    private func links() -> [String: String] {
        var out: [String: String] = [:]
        for key in FileSystem.list(environments) {
            let dir = FileSystem.join(environments, key)
            for name in FileSystem.list(dir) where !name.hasSuffix(".lock") {
                let link = FileSystem.join(dir, name)
                if let real = FileSystem.realpath(link) { out[link] = real }
            }
        }
        return out
    }

    func prepare(before: Snapshot) -> [String: String] {
        linksBefore = links()
        return [:]
    }

    var reusedEnvironment: Bool { found?.reused ?? false }

    func targetAfterRun() -> CaptureTarget? {
        let after = links()
        let changed = Set(after.filter { linksBefore[$0.key] != $0.value }.values)
        var chosen: String?
        var reused = false
        var note: String
        if changed.count == 1 {
            chosen = changed.first
            note = "ephemeral environment built by uv for this run"
        } else if changed.isEmpty {
            let holders = Set(after.values.filter { dir in
                PythonLocator.venv(python: FileSystem.join(dir, "bin/python")).map { info in
                    SiteScanner.scan(info.environment.siteDirs).snapshot.distributions[package] != nil
                } ?? false
            })
            if holders.count == 1 {
                chosen = holders.first
                reused = true
                note = "cached ephemeral environment reused by uv for this run"
            } else {
                note = "uv reused one of \(holders.count) cached environments holding \(package); which one is unknown"
            }
        } else {
            note = "uv built \(changed.count) environments during this run; which one ran is unknown"
        }
        guard let dir = chosen, let info = PythonLocator.venv(python: FileSystem.join(dir, "bin/python")) else {
            found = (.unknown(python: nil, note: note), false)
            return found!.target
        }
        let e = info.environment
        found = (CaptureTarget(environment: e, scanDirs: e.siteDirs, notes: [note]), reused)
        return found!.target
    }

    func finish(_ run: ObservedRun) -> ToolFindings {
        var notes = found?.target.notes ?? []
        let artifacts = UvArtifacts(cmd: cmd, env: env, cwd: cwd, after: run.after, notes: &notes)
        let (changes, hooks) = ChangeBuilder.build(deltas: run.deltas, hooks: run.hooks, artifacts: artifacts,
                                                   requestedNames: [package])
        return ToolFindings(changes: changes, hooks: hooks,
                            toolVersion: UvAdapter.version(of: realUV, stateDirectory: env.stateDirectory),
                            sources: UvAdapter.sources(cmd, env: env), notes: notes)
    }
}
