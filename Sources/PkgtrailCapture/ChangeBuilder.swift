import PkgtrailCore

/// Turns distribution deltas and `.pth` changes (and pip's report, when
/// there is one) into an event's changes and startup hooks. Contents are
/// read here only for what changed: RECORD, INSTALLER and REQUESTED.
enum ChangeBuilder {
    static func build(deltas: [DistributionDelta], hooks: [StartupHook], report: PipReport?,
                      uninstallNames: Set<String>) -> ([Change], [StartupHook]) {
        var unowned: [String: StartupHook] = [:]
        for h in hooks { unowned[FileSystem.basename(h.path)] = h }
        var changes: [Change] = []
        for delta in deltas {
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
                requested = uninstallNames.isEmpty ? nil : uninstallNames.contains(delta.name)
            } else if requested == nil, let details, details.installer == "pip" {
                // pip writes REQUESTED only for what the user asked for (uv marks everything).
                requested = details.requestedMarker
            }
            var own: [StartupHook] = []
            for file in details?.startupFiles.sorted() ?? [] {
                if let h = unowned.removeValue(forKey: file) { own.append(h) }
            }
            changes.append(Change(name: delta.name, action: delta.action, fromVersion: delta.before?.version,
                                  toVersion: delta.after?.version, artifact: artifact,
                                  recordSHA256: details?.recordSHA256, installer: details?.installer,
                                  requested: requested, requiredBy: requiredBy, startupHooks: own))
        }
        return (changes, unowned.values.sorted { $0.path < $1.path })
    }

    /// `.pth` files that changed between two snapshots, with the after-side content facts.
    static func hooks(before: Snapshot, after: Snapshot) -> [StartupHook] {
        before.startupFileDeltas(to: after).map { d in
            let now = d.status == .removed ? nil : after.startupFiles[d.path]
            return StartupHook(path: d.path, sha256: now?.sha256, executableImport: now?.executableImport ?? false,
                               status: d.status.rawValue)
        }
    }
}
