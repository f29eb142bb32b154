/// What the log says an environment holds: the fold of its events, oldest
/// first. The same fold answers "what did X contain at time T" and is the
/// reference a snapshot is compared with to find drift.
public struct RecordedState: Equatable, Sendable {
    public var versions: [String: String] = [:]
    /// `.pth` path -> sha256 (nil when it could not be read).
    public var startupFiles: [String: String?] = [:]
    public var lastSeen: String?
    public var lastSeenSeq: Int64?

    public init() {}

    public mutating func apply(_ e: Event) {
        for c in e.changes {
            if c.action == .remove { versions[c.name] = nil } else if let v = c.toVersion { versions[c.name] = v }
        }
        for h in e.startupHooks + e.changes.flatMap(\.startupHooks) {
            if h.status == .removed { startupFiles[h.path] = nil } else { startupFiles[h.path] = .some(h.sha256) }
        }
        lastSeen = e.finished
        lastSeenSeq = e.seq
    }

    public var stateDigest: String { Snapshot.stateDigest(versions) }
    public var startupDigest: String { Snapshot.startupDigest(startupFiles) }
}

/// Differences between what the log says and what is on disk.
public enum Drift {
    /// Packages that appeared, vanished or changed version without a
    /// recorded command. (A same-version rewrite is `scan --files`' job.)
    public static func packageDeltas(recorded: RecordedState, observed: Snapshot) -> [DistributionDelta] {
        var out: [DistributionDelta] = []
        for (name, version, now) in keyedPairs(recorded.versions, observed.distributions) {
            let was = version.map { InstalledDistribution(name: name, version: $0, metadataPath: "", identity: "") }
            switch (was, now) {
            case (nil, let n?): out.append(DistributionDelta(name: name, action: .install, before: nil, after: n))
            case (let w?, nil): out.append(DistributionDelta(name: name, action: .remove, before: w, after: nil))
            case (let w?, let n?) where w.version != n.version:
                out.append(
                    DistributionDelta(
                        name: name, action: Snapshot.direction(from: w.version, to: n.version),
                        before: w, after: n))
            default: continue
            }
        }
        return out
    }

    /// `.pth` files added, altered or removed relative to the record.
    public static func startupHooks(recorded: RecordedState, observed: Snapshot) -> [StartupHook] {
        var out: [StartupHook] = []
        for (path, was, now) in keyedPairs(recorded.startupFiles, observed.startupFiles) {
            switch (was, now) {
            case (nil, let n?):
                out.append(
                    StartupHook(path: path, sha256: n.sha256, executableImport: n.executableImport, status: .added))
            case (_?, nil):
                out.append(StartupHook(path: path, sha256: nil, executableImport: false, status: .removed))
            case (let w?, let n?) where w != n.sha256:
                out.append(
                    StartupHook(path: path, sha256: n.sha256, executableImport: n.executableImport, status: .modified))
            default: continue
            }
        }
        return out
    }
}
