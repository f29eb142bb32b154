import PkgtrailCore

/// Turns two snapshots (and pip's report, when there is one) into the
/// event's changes and startup hooks. File contents are read here only for
/// what changed: RECORD, INSTALLER, REQUESTED and changed `.pth` files.
enum ChangeBuilder {
    static func build(before: Snapshot, after: Snapshot, report: PipReport?,
                      uninstallNames: Set<String>) -> ([Change], [StartupHook]) {
        var hooks: [String: StartupHook] = [:]
        for delta in before.startupFileDeltas(to: after) {
            hooks[FileSystem.basename(delta.path)] = hook(delta)
        }
        var changes: [Change] = []
        for delta in before.deltas(to: after) {
            let details = delta.after.map { DistInfoDetails(metadataPath: $0.metadataPath) }
            var artifact: Artifact?
            var requested: Bool?
            var requiredBy: [String] = []
            if let report, let item = report.items[delta.name], item.version == delta.after?.version {
                artifact = Artifact(url: item.url, sha256: item.sha256, filename: item.url?.urlFilename,
                                    hashSource: item.sha256 == nil ? nil : "pip-report")
                requested = item.requested
                requiredBy = report.requirers(of: delta.name)
            }
            if delta.action == .remove {
                requested = uninstallNames.contains(delta.name)
            } else if requested == nil, let details, details.installer == "pip" {
                // pip writes REQUESTED only for what the user asked for (uv marks everything).
                requested = details.requestedMarker
            }
            var own: [StartupHook] = []
            for file in details?.startupFiles.sorted() ?? [] {
                if let h = hooks.removeValue(forKey: file) { own.append(h) }
            }
            changes.append(Change(name: delta.name, action: delta.action, fromVersion: delta.before?.version,
                                  toVersion: delta.after?.version, artifact: artifact,
                                  recordSHA256: details?.recordSHA256, installer: details?.installer,
                                  requested: requested, requiredBy: requiredBy, startupHooks: own))
        }
        return (changes, hooks.values.sorted { $0.path < $1.path })
    }

    static func hook(_ delta: StartupFileDelta) -> StartupHook {
        guard delta.status != .removed, let bytes = FileSystem.read(delta.path, limit: 16 << 20) else {
            return StartupHook(path: delta.path, sha256: nil, executableImport: false, status: delta.status.rawValue)
        }
        return StartupHook(path: delta.path, sha256: Digest.sha256Hex(bytes),
                           executableImport: StartupHookScanner.hasExecutableImport(bytes), status: delta.status.rawValue)
    }
}
