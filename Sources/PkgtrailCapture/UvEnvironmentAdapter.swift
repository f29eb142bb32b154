import PkgtrailCore
import PkgtrailSystem

/// uv commands that act on one environment directory that may not exist yet:
/// - project commands (`uv add`, `uv remove`, `uv sync`, `uv run`): the
///   project environment (`.venv` at the project root, `UV_PROJECT_ENVIRONMENT`,
///   or `VIRTUAL_ENV` with `--active`), artifacts from `uv.lock`, and the lock
///   file's change as part of the event;
/// - `uv venv [PATH]`: the environment created or replaced;
/// - `uv tool install|upgrade|uninstall NAME`: the tool's environment under
///   `UV_TOOL_DIR` (default `~/.local/share/uv/tools`), artifacts from uv's cache.
final class UvEnvironmentAdapter: ToolAdapter {
    enum Kind {
        case project(root: String)
        case venv
        case tool

        var isTool: Bool {
            if case .tool = self { return true }
            return false
        }
    }

    let tool = "uv"
    private(set) var target: CaptureTarget
    private let uv: UvInvocation
    private let kind: Kind

    private let envDir: String
    /// The project's uv.lock before the command: its bytes (what a locked
    /// sync installs) and their sha256.
    private let lockBytesBefore: [UInt8]?
    private let lockBefore: String?
    private let existedBefore: Bool
    private var overlay: EphemeralEnvironments?

    init(_ uv: UvInvocation, kind: Kind) {
        self.uv = uv
        self.kind = kind
        let (cmd, env, cwd) = (uv.cmd, uv.env, uv.cwd)
        switch kind {
        case .project(let root):
            if cmd.has("--active"), let active = env.nonEmpty("VIRTUAL_ENV") {
                envDir = FileSystem.absolute(active, cwd: cwd)
            } else if let p = env.nonEmpty("UV_PROJECT_ENVIRONMENT") {
                envDir = FileSystem.absolute(p, cwd: root)
            } else {
                envDir = FileSystem.join(root, ".venv")
            }
            lockBytesBefore = FileSystem.read(FileSystem.join(root, "uv.lock"))
            lockBefore = lockBytesBefore.map { Digest.sha256Hex($0) }
        case .venv:
            envDir = FileSystem.absolute(cmd.positionals.first ?? ".venv", cwd: cwd)
            (lockBytesBefore, lockBefore) = (nil, nil)
        case .tool:
            let tools =
                env.nonEmpty("UV_TOOL_DIR")
                ?? (env.nonEmpty("XDG_DATA_HOME") ?? env.home + "/.local/share") + "/uv/tools"
            let name = RequirementName.name(cmd.last("--from") ?? cmd.positionals[0])
            envDir = FileSystem.join(FileSystem.absolute(tools, cwd: cwd), name)
            (lockBytesBefore, lockBefore) = (nil, nil)
        }
        existedBefore = FileSystem.exists(envDir)
        target = Self.resolve(envDir)
    }

    /// The nearest directory upward holding a pyproject.toml (`--project` or
    /// `--directory` first); nil when there is no project, so nothing syncs.
    static func projectRoot(_ cmd: UvCommand, cwd: String) -> String? {
        let start =
            cmd.last("--project").map { FileSystem.absolute($0, cwd: cwd) }
            ?? cmd.last("--directory").map { FileSystem.absolute($0, cwd: cwd) } ?? cwd
        var dir = start
        while true {
            if FileSystem.exists(FileSystem.join(dir, "pyproject.toml")) { return dir }
            if dir == "/" { return nil }
            dir = FileSystem.dirname(dir)
        }
    }

    /// The environment may not exist yet (uv creates it): then its site
    /// directory is found after the run.
    static func resolve(_ envDir: String) -> CaptureTarget {
        if let info = PythonLocator.venv(python: FileSystem.join(envDir, "bin/python")) {
            let e = info.environment
            return CaptureTarget(environment: e, scanDirs: e.siteDirs, notes: [])
        }
        return CaptureTarget(
            environment: Environment(
                prefix: envDir, python: nil, pythonVersion: nil,
                platform: PythonLocator.platform, isVenv: true, siteDirs: []),
            scanDirs: [], notes: [])
    }

    /// A project installs what its lock names (checked before uv runs: no
    /// constraint reaches a locked sync), plus what `uv add` names; a tool,
    /// what its command names.
    func requested() -> [(name: String, version: String?)] {
        var out =
            uv.cmd.subcommands == ["add"] || kind.isTool ? uv.cmd.positionals.compactMap(RequirementName.parse) : []
        if let bytes = lockBytesBefore {
            out += UvLock(text: String(decoding: bytes, as: UTF8.self)).packages.map {
                (PackageName.normalize($0.name), $0.version)
            }
        }
        return out
    }

    func prepare(before: Snapshot) -> [String: String] {
        if case .project = kind, uv.cmd.subcommands.first == "run", uv.cmd.has("--with") {
            var e = EphemeralEnvironments(cacheRoot: uv.cacheRoot)
            e.markBefore()
            overlay = e
        }
        return [:]
    }

    /// `uv run --with X`: the ephemeral overlay holding X, as its own environment.
    private func overlayEnvironment() -> [SecondaryEnvironment] {
        guard let overlay, let first = uv.cmd.options.first(where: { $0.name == "--with" })?.value else { return [] }
        let names = Set(
            uv.cmd.options.filter { $0.name == "--with" }.compactMap(\.value)
                .flatMap { $0.split(separator: ",").map { RequirementName.name(String($0)) } })
        let found = overlay.used(holding: RequirementName.name(String(first.split(separator: ",").first ?? "")))
        guard !found.target.scanDirs.isEmpty else { return [] }
        let after = SiteScanner.scan(found.target.scanDirs).snapshot
        let before = found.reused ? after : Snapshot()
        let built = ChangeBuilder.build(
            deltas: before.deltas(to: after), hooks: ChangeBuilder.hooks(before: before, after: after),
            artifacts: uv.cacheArtifacts, requestedNames: names)
        return [
            SecondaryEnvironment(
                environment: found.target.environment, before: before, after: after,
                changes: built.changes, hooks: built.hooks,
                notes: found.target.notes + built.notes + ["the --with overlay of uv run"])
        ]
    }

    /// uv may have created (sync, venv, tool install) or replaced (venv --clear,
    /// sync --python) the environment, or removed it (tool uninstall): look again.
    func targetAfterRun() -> CaptureTarget? {
        let now = Self.resolve(envDir)
        return now.scanDirs.isEmpty ? nil : now
    }

    func finish(_ run: ObservedRun) -> ToolFindings {
        let (cmd, version) = (uv.cmd, uv.version)
        guard case .project(let root) = kind else {
            var notes: [String] = []
            if case .venv = kind, FileSystem.exists(envDir) {
                notes.append(existedBefore ? "uv venv replaced this environment" : "uv venv created this environment")
            }
            let requested = Set(cmd.positionals.prefix(1).map(RequirementName.name))
            let built = ChangeBuilder.build(
                deltas: run.deltas, hooks: run.hooks, artifacts: uv.cacheArtifacts,
                requestedNames: requested)
            var sources = uv.sources
            var tool: ToolInstallation?
            if case .tool = kind {
                let path = FileSystem.join(envDir, "uv-receipt.toml")
                let bytes = FileSystem.read(path, limit: 1 << 20)
                let receipt = bytes.map { UvToolReceipt(text: String(decoding: $0, as: UTF8.self)) }
                tool = ToolInstallation(
                    name: FileSystem.basename(envDir), receiptPath: path,
                    receiptSHA256: bytes.map { Digest.sha256Hex($0) },
                    executables: receipt?.executables ?? [])
                if sources.isEmpty {
                    sources = (receipt?.indexURLs ?? []).map {
                        Source(kind: .index, url: Redaction.redactText($0), origin: "uv-receipt")
                    }
                }
            }
            return ToolFindings(
                changes: built.changes, hooks: built.hooks, toolVersion: version, sources: sources,
                notes: notes + built.notes, tool: tool)
        }
        var notes: [String] = []
        let lockPath = FileSystem.join(root, "uv.lock")
        let lockBytes = FileSystem.read(lockPath)
        let lock = lockBytes.map { UvLock(text: String(decoding: $0, as: UTF8.self)) }
        if lock == nil { notes.append("no uv.lock at \(root); artifact hashes were not available") }
        if cmd.has("--with-requirements", "--with-editable") {
            notes.append(
                "--with-requirements/--with-editable overlays are not recorded; only the project environment is")
        }
        // uv.lock first; what it does not hash (a path or git source, a package it lacks) from uv itself.
        let artifacts = LockThenCache(
            lock: lock.map { UvLockArtifacts(lock: $0, root: root) }, cache: uv.cacheArtifacts)
        let built = ChangeBuilder.build(deltas: run.deltas, hooks: run.hooks, artifacts: artifacts, requestedNames: nil)
        var sources: [Source] = []
        for registry in Set(lock?.packages.compactMap { $0.sourceKind == "registry" ? $0.sourceValue : nil } ?? [])
            .sorted()
        {
            sources.append(Source(kind: .index, url: Redaction.redactText(registry), origin: "uv.lock"))
        }
        return ToolFindings(
            changes: built.changes, hooks: built.hooks, toolVersion: version, sources: sources,
            notes: notes + built.notes,
            lockfile: Lockfile(
                path: lockPath, sha256Before: lockBefore,
                sha256After: lockBytes.map { Digest.sha256Hex($0) }),
            alsoUsed: overlayEnvironment())
    }
}

/// uv.lock as the artifact source: the locked wheel (matched by the tags the
/// installed WHEEL file names when there are several) or sdist, with its sha256.
struct UvLockArtifacts: ArtifactSource {
    let lock: UvLock
    let root: String

    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        guard let p = lock.package(named: name), p.version == version else { return nil }
        let project = lock.packages.first {
            ["editable", "virtual"].contains($0.sourceKind ?? "") && $0.sourceValue == "."
        }
        let requested = project.map { $0.dependencies.contains(name) }
        let requiredBy = lock.requirers(of: name)
        var chosen: UvLock.Artifact?
        var source = "uv.lock"
        if p.wheels.count == 1 {
            chosen = p.wheels[0]
        } else if p.wheels.count > 1 {
            // Several wheels (per platform): the one whose tags the installed WHEEL file names.
            let installed = metadataPath.map { WheelTags.installed(distInfo: $0) } ?? []
            chosen = p.wheels.first { w in !WheelTags.of(wheel: w.filename ?? "").isDisjoint(with: installed) }
        } else if let s = p.sdist {
            chosen = s
            source = "uv.lock (sdist, built locally)"
        }
        let artifact = chosen.map { a in
            Artifact(
                url: (a.url ?? a.path.map { "file://" + FileSystem.absolute($0, cwd: root) }).map(Redaction.redactURLs),
                sha256: a.sha256, filename: a.filename, hashSource: a.sha256 == nil ? nil : source)
        }
        return ArtifactFacts(artifact: artifact, requested: requested, requiredBy: requiredBy)
    }
}

/// uv.lock where it hashes the artifact, else what uv's cache and the
/// installed `direct_url.json` say (keeping the lock's requested/required-by).
struct LockThenCache: ArtifactSource {
    let lock: UvLockArtifacts?
    let cache: UvArtifacts

    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        let locked = lock?.lookup(name: name, version: version, metadataPath: metadataPath)
        if let locked, locked.artifact?.sha256 != nil { return locked }
        guard var found = cache.lookup(name: name, version: version, metadataPath: metadataPath) else { return locked }
        if let locked {
            found.requested = locked.requested
            found.requiredBy = locked.requiredBy
        }
        return found
    }
}
