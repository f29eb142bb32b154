import PkgtrailCore
import PkgtrailSystem

/// What a tool knows about the artifact behind an installed distribution.
struct ArtifactFacts {
    var artifact: Artifact?
    var requested: Bool?
    var requiredBy: [String]
    /// What the event should say about this artifact (why a hash is null, that a wheel was built locally).
    var notes: [String] = []
}

/// A tool-specific place artifacts are looked up (pip's report, uv's cache…).
protocol ArtifactSource {
    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts?
}

/// Turns distribution deltas and `.pth` changes (and what the tool says of
/// the artifacts) into an event's changes and startup hooks. Contents are
/// read here only for what changed: RECORD, INSTALLER and REQUESTED.
enum ChangeBuilder {
    /// `requestedNames`: what the user named on the command line, when that is
    /// the best knowledge of "requested" (uninstall, uv); nil to rely on the
    /// artifact source and pip's REQUESTED marker.
    static func build(
        deltas: [DistributionDelta], hooks: [StartupHook], artifacts: ArtifactSource?,
        requestedNames: Set<String>?
    ) -> Built {
        var unowned: [String: StartupHook] = [:]
        for h in hooks { unowned[FileSystem.basename(h.path)] = h }
        var changes: [Change] = []
        var notes: [String] = []
        for delta in deltas {
            let details = delta.after.map { DistInfoDetails(metadataPath: $0.metadataPath) }
            var artifact: Artifact?
            var requested: Bool?
            var requiredBy: [String] = []
            if let version = delta.after?.version,
                let facts = artifacts?.lookup(
                    name: delta.name, version: version, metadataPath: delta.after?.metadataPath)
            {
                artifact = facts.artifact
                requested = facts.requested
                requiredBy = facts.requiredBy
                notes += facts.notes
            }
            if requested == nil, let names = requestedNames {
                requested = names.contains(delta.name)
            } else if requested == nil, let details, details.installer == "pip" {
                // pip writes REQUESTED only for what the user asked for (uv marks everything).
                requested = details.requestedMarker
            }
            var own: [StartupHook] = []
            for file in details?.startupFiles.sorted() ?? [] {
                if let h = unowned.removeValue(forKey: file) { own.append(h) }
            }
            changes.append(
                Change(
                    name: delta.name, action: delta.action, fromVersion: delta.before?.version,
                    toVersion: delta.after?.version, artifact: artifact,
                    recordSHA256: details?.recordSHA256, installer: details?.installer,
                    requested: requested, requiredBy: requiredBy, startupHooks: own))
        }
        return Built(changes: changes, hooks: unowned.values.sorted { $0.path < $1.path }, notes: notes)
    }

    struct Built {
        var changes: [Change]
        /// `.pth` changes no distribution's RECORD claims.
        var hooks: [StartupHook]
        var notes: [String]
    }

    /// `.pth` files that changed between two snapshots, with the after-side content facts.
    static func hooks(before: Snapshot, after: Snapshot) -> [StartupHook] {
        before.startupFileDeltas(to: after).map { d in
            let now = d.status == .removed ? nil : after.startupFiles[d.path]
            return StartupHook(
                path: d.path, sha256: now?.sha256, executableImport: now?.executableImport ?? false,
                status: StartupHook.Status(d.status.rawValue))
        }
    }
}
