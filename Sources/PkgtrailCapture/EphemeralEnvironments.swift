import PkgtrailCore
import PkgtrailSystem

/// uv's ephemeral environments (`uvx`, `uv tool run`, `uv run --with`) live in
/// its cache as links `environments-v2/<key>/<hash>` → `archive-v0/<id>`
/// (venvs). Comparing the links before and after a run says which one uv
/// built; when it built none it reused a cached one, recognised by holding
/// the package that was asked for.
struct EphemeralEnvironments {
    let root: String
    private var before: [String: String] = [:]

    init(cacheRoot: String) {
        root = FileSystem.join(cacheRoot, "environments-v2")
    }

    mutating func markBefore() { before = links() }

    struct Found {
        var target: CaptureTarget
        /// Used, not built: recorded as unchanged.
        var reused: Bool
    }

    /// The environment this run used, or an unknown target with a note saying why.
    func used(holding package: String) -> Found {
        let after = links()
        let changed = Set(after.filter { before[$0.key] != $0.value }.values)
        if changed.count == 1, let dir = changed.first,
            let t = Self.target(dir, note: "ephemeral environment built by uv for this run")
        {
            return Found(target: t, reused: false)
        }
        if changed.count > 1 {
            return Found(
                target: .unknown(
                    python: nil,
                    note: "uv built \(changed.count) environments during this run; which one ran is unknown"),
                reused: false)
        }
        let holders = Set(after.values).filter { dir in
            PythonLocator.venv(python: FileSystem.join(dir, "bin/python")).map {
                SiteScanner.scan($0.environment.siteDirs).snapshot.distributions[package] != nil
            } ?? false
        }
        if holders.count == 1, let dir = holders.first,
            let t = Self.target(dir, note: "cached ephemeral environment reused by uv for this run")
        {
            return Found(target: t, reused: true)
        }
        return Found(
            target: .unknown(
                python: nil,
                note: "uv reused one of \(holders.count) cached environments holding \(package); which one is unknown"),
            reused: false)
    }

    static func target(_ dir: String, note: String) -> CaptureTarget? {
        guard let info = PythonLocator.venv(python: FileSystem.join(dir, "bin/python")) else { return nil }
        let e = info.environment
        return CaptureTarget(environment: e, scanDirs: e.siteDirs, notes: [note])
    }

    /// link path -> resolved environment directory
    private func links() -> [String: String] {
        var out: [String: String] = [:]
        for key in FileSystem.list(root) {
            let dir = FileSystem.join(root, key)
            for name in FileSystem.list(dir) where !name.hasSuffix(".lock") {
                let link = FileSystem.join(dir, name)
                if let real = FileSystem.realpath(link) { out[link] = real }
            }
        }
        return out
    }
}
