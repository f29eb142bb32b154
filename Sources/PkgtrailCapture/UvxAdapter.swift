import PkgtrailCore

/// `uvx` / `uv tool run`: the ephemeral environment that ran (see
/// `EphemeralEnvironments`). Code from it ran whether uv built it now or
/// reused it, so every run is an event.
final class UvxAdapter: ToolAdapter {
    let tool = "uv"
    let target: CaptureTarget
    private let uv: UvInvocation

    /// What runs: `--from`, else the command; `pkg@1.2` pins a version as `pkg==1.2` does.
    func requested() -> [(name: String, version: String?)] {
        guard let spec = uv.cmd.last("--from") ?? uv.cmd.positionals.first else { return [] }
        let at = spec.split(separator: "@", maxSplits: 1).map(String.init)
        if at.count == 2, !spec.contains(" @ "), !at[1].contains("/") {
            return [(RequirementName.name(at[0]), at[1] == "latest" ? nil : at[1])]
        }
        return [RequirementName.parse(spec)].compactMap { $0 }
    }
    private let package: String
    private var ephemeral: EphemeralEnvironments
    private var found: EphemeralEnvironments.Found?

    init(_ uv: UvInvocation) {
        self.uv = uv
        ephemeral = EphemeralEnvironments(cacheRoot: uv.cacheRoot)
        package = uv.cmd.runPackage ?? ""
        target = CaptureTarget(
            environment: Environment(
                prefix: "unknown", python: nil, pythonVersion: nil,
                platform: PythonLocator.platform, isVenv: true, siteDirs: []),
            scanDirs: [], notes: [])
    }

    func prepare(before: Snapshot) -> [String: String] {
        ephemeral.markBefore()
        return [:]
    }

    var reusedEnvironment: Bool { found?.reused ?? false }

    func targetAfterRun() -> CaptureTarget? {
        found = ephemeral.used(holding: package)
        return found?.target
    }

    func finish(_ run: ObservedRun) -> ToolFindings {
        let notes = found?.target.notes ?? []
        let built = ChangeBuilder.build(
            deltas: run.deltas, hooks: run.hooks, artifacts: uv.cacheArtifacts,
            requestedNames: [package])
        return ToolFindings(
            changes: built.changes, hooks: built.hooks, toolVersion: uv.version, sources: uv.sources,
            notes: notes + built.notes)
    }
}
