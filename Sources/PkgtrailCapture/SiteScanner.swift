import PkgtrailCore
import PkgtrailSystem

/// Reads an environment's site directories natively: names and versions
/// from `*.dist-info` / `*.egg-info` directory names, identities from
/// `stat`, and `.pth` files. Never imports or runs anything from the
/// environment (docs/SPEC.md §1). Costs a readdir and a few stats per distribution;
/// file contents are read only for what changed (`DistInfoDetails`).
public enum SiteScanner {
    public struct Result {
        public var snapshot: Snapshot
        public var notes: [String]
    }

    /// `reusing`: an earlier snapshot of the same directories; `.pth` files
    /// whose identity (inode, size, times) did not move keep their hash
    /// instead of being read again.
    public static func scan(_ dirs: [String], reusing earlier: Snapshot? = nil) -> Result {
        var snapshot = Snapshot()
        var notes: [String] = []
        for dir in dirs {
            for name in FileSystem.list(dir) {
                let path = FileSystem.join(dir, name)
                let entry = SiteEntry(name: name)
                if entry == .startupFile {
                    // site.py runs these at every start; they are few and small, so
                    // each is hashed here (bounded, in case one is not).
                    guard let st = FileSystem.stat(path), st.isRegular else { continue }
                    if let known = earlier?.startupFiles[path], known.identity == st.identity {
                        snapshot.startupFiles[path] = known
                    } else {
                        let bytes = FileSystem.read(path, limit: 16 << 20)
                        snapshot.startupFiles[path] = StartupFile(
                            path: path, identity: st.identity, sha256: bytes.map { Digest.sha256Hex($0) },
                            executableImport: bytes.map(StartupHookScanner.hasExecutableImport) ?? false)
                    }
                    continue
                }
                guard entry == .distribution else { continue }
                guard let dist = distribution(at: path, name: name) else {
                    notes.append("\(path) could not be read (no name and version, or a broken link); skipped")
                    continue
                }
                if let existing = snapshot.distributions[dist.name] {
                    // Deterministic whatever the directory order: the greater path wins.
                    let (keep, drop) = existing.metadataPath > dist.metadataPath ? (existing, dist) : (dist, existing)
                    notes.append(
                        "\(dist.name) has more than one metadata directory "
                            + "(\(FileSystem.basename(keep.metadataPath)) is used, "
                            + "\(FileSystem.basename(drop.metadataPath)) ignored)"
                    )
                    snapshot.distributions[dist.name] = keep
                } else {
                    snapshot.distributions[dist.name] = dist
                }
            }
        }
        return Result(snapshot: snapshot, notes: notes)
    }

    static func distribution(at path: String, name: String) -> InstalledDistribution? {
        let isDistInfo = name.hasSuffix(".dist-info")
        let stem = String(name.dropLast(isDistInfo ? 10 : 9))
        var project: String
        var version: String
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty {
            project = String(parts[0])
            version = String(parts[1])
        } else if let meta = metadataHeaders(path, isDistInfo: isDistInfo) {
            (project, version) = meta
        } else {
            return nil
        }
        guard let dirStat = FileSystem.stat(path) else { return nil }
        var identity = "\(dirStat.inode):\(dirStat.ctimeNS)"
        if dirStat.isDirectory, let rec = FileSystem.stat(FileSystem.join(path, isDistInfo ? "RECORD" : "PKG-INFO")) {
            identity += ":" + rec.identity
        } else if !dirStat.isDirectory {
            identity = dirStat.identity
        }
        // Escaped names (`_` for `-`) normalize back to the project name.
        return InstalledDistribution(
            name: PackageName.normalize(project), version: version,
            metadataPath: path, identity: identity)
    }

    /// Whether the metadata directory itself is another one (its inode, the
    /// first part of `identity`): pip and uv remove a distribution's
    /// directory and write a new one on every reinstall, while a directory
    /// merely still being written keeps its inode.
    static func replaced(_ before: InstalledDistribution, by after: InstalledDistribution) -> Bool {
        before.identity.split(separator: ":").first != after.identity.split(separator: ":").first
    }

    /// `Name:` and `Version:` from METADATA / PKG-INFO, for directory names that do not carry them.
    static func metadataHeaders(_ path: String, isDistInfo: Bool) -> (String, String)? {
        let file =
            isDistInfo
            ? FileSystem.join(path, "METADATA")
            : (FileSystem.stat(path)?.isDirectory == true
                ? FileSystem.join(path, "PKG-INFO") : path)
        guard let text = FileSystem.readText(file, limit: 256 << 10) else { return nil }
        return DistInfoFiles.nameAndVersion(metadata: text)
    }
}

/// What the recorder reads from a distribution that changed.
struct DistInfoDetails {
    var recordSHA256: String?
    var installer: String?
    var requestedMarker: Bool
    /// Top-level `.pth` files this distribution's RECORD lists.
    var startupFiles: Set<String>

    init(metadataPath: String) {
        let record = FileSystem.read(FileSystem.join(metadataPath, "RECORD"))
        recordSHA256 = record.map { Digest.sha256Hex($0) }
        installer = FileSystem.readText(FileSystem.join(metadataPath, "INSTALLER"), limit: 256).map {
            String(Substring($0).trimmingSpaces.split(whereSeparator: \.isNewline).first ?? "")
        }
        requestedMarker = FileSystem.exists(FileSystem.join(metadataPath, "REQUESTED"))
        startupFiles = record.map { DistInfoFiles.startupFiles(record: $0) } ?? []
    }
}
