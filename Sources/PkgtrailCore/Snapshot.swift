/// What an environment held at one moment, as read from its site directories
/// (never by running its interpreter). Built by the capture layer; compared here.
public struct Snapshot: Equatable, Sendable {
    public var distributions: [String: InstalledDistribution]
    /// Keyed by full path of the `.pth` file.
    public var startupFiles: [String: StartupFile]

    public init(distributions: [String: InstalledDistribution] = [:], startupFiles: [String: StartupFile] = [:]) {
        self.distributions = distributions
        self.startupFiles = startupFiles
    }

    /// SHA-256 of the sorted `name==version\n` lines: one digest names the
    /// whole package set, like dnf's rpmdb version.
    public var stateDigest: String { Self.stateDigest(distributions.mapValues(\.version)) }

    public static func stateDigest(_ versions: [String: String]) -> String {
        let lines = versions.map { "\($0.key)==\($0.value)\n" }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return Digest.sha256Hex(Array(lines.joined().utf8))
    }

    /// SHA-256 of the sorted `path sha256\n` lines of the `.pth` files.
    public var startupDigest: String {
        Self.startupDigest(startupFiles.mapValues { $0.sha256 })
    }

    public static func startupDigest(_ files: [String: String?]) -> String {
        let lines = files.map { "\($0.key) \($0.value ?? "-")\n" }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return Digest.sha256Hex(Array(lines.joined().utf8))
    }
}

public struct InstalledDistribution: Equatable, Sendable {
    /// PEP 503 normalized.
    public var name: String
    public var version: String
    /// Full path of the `*.dist-info` (or `*.egg-info`) directory.
    public var metadataPath: String
    /// Changes whenever the distribution is written again (inode and times of
    /// its metadata), so a reinstall of the same version is still seen.
    public var identity: String

    public init(name: String, version: String, metadataPath: String, identity: String) {
        self.name = name
        self.version = version
        self.metadataPath = metadataPath
        self.identity = identity
    }
}

public struct StartupFile: Equatable, Sendable {
    public var path: String
    /// inode, size and times: what tells a rewrite without reading the file.
    public var identity: String
    /// sha256 of the content (`.pth` files are small and few; nil when unreadable).
    public var sha256: String?
    public var executableImport: Bool
    public init(path: String, identity: String, sha256: String?, executableImport: Bool) {
        self.path = path
        self.identity = identity
        self.sha256 = sha256
        self.executableImport = executableImport
    }
}

/// One distribution that differs between two snapshots.
public struct DistributionDelta: Equatable, Sendable {
    public var name: String
    public var action: Change.Action
    public var before: InstalledDistribution?
    public var after: InstalledDistribution?
}

public struct StartupFileDelta: Equatable, Sendable {
    public enum Status: String, Sendable { case added, modified, removed }
    public var path: String
    public var status: Status
}

extension Snapshot {
    /// Distributions that appeared, vanished, or changed version or identity, sorted by name.
    public func deltas(to after: Snapshot) -> [DistributionDelta] {
        var out: [DistributionDelta] = []
        for (name, b, a) in keyedPairs(distributions, after.distributions) {
            switch (b, a) {
            case (nil, let a?):
                out.append(DistributionDelta(name: name, action: .install, before: nil, after: a))
            case (let b?, nil):
                out.append(DistributionDelta(name: name, action: .remove, before: b, after: nil))
            case (let b?, let a?) where b.version != a.version:
                out.append(
                    DistributionDelta(
                        name: name, action: Self.direction(from: b.version, to: a.version), before: b, after: a))
            case (let b?, let a?) where b.identity != a.identity:
                out.append(DistributionDelta(name: name, action: .reinstall, before: b, after: a))
            default:
                continue
            }
        }
        return out
    }

    public func startupFileDeltas(to after: Snapshot) -> [StartupFileDelta] {
        var out: [StartupFileDelta] = []
        for (path, b, a) in keyedPairs(startupFiles, after.startupFiles) {
            switch (b, a) {
            case (nil, _?): out.append(StartupFileDelta(path: path, status: .added))
            case (_?, nil): out.append(StartupFileDelta(path: path, status: .removed))
            case (let b?, let a?) where b.identity != a.identity || b.sha256 != a.sha256:
                out.append(StartupFileDelta(path: path, status: .modified))
            default: continue
            }
        }
        return out
    }

    /// PEP 440 order where both parse; otherwise a plain comparison, so an
    /// odd legacy version still yields an answer rather than a guess of "upgrade".
    static func direction(from: String, to: String) -> Change.Action {
        if let f = Version(from), let t = Version(to) {
            return t < f ? .downgrade : (f < t ? .upgrade : .reinstall)
        }
        return to < from ? .downgrade : .upgrade
    }
}

/// Startup-hook analysis of a `.pth` file's bytes (site.py semantics: a line
/// starting with `import ` or `import\t` is executed at interpreter start).
public enum StartupHookScanner {
    public static func hasExecutableImport(_ bytes: [UInt8]) -> Bool {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let l = line.last == 0x0D ? line.dropLast() : line[...]
            if l.starts(with: Array("import ".utf8)) || l.starts(with: Array("import\t".utf8)) { return true }
        }
        return false
    }
}
