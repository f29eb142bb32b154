import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `scan --files`: re-hashes installed files against each distribution's
/// RECORD, like `rpm -V` or `debsums`. Reports; does not record (a modified
/// file stays modified, and would otherwise be logged again at every scan).
public enum FileVerifier {
    public struct Finding: Sendable, Equatable {
        public enum Status: String, Sendable {
            case modified
            case missing
            case unlisted
            case unlistedStartupHook = "unlisted-startup-hook"
        }
        public let path: String
        public let status: Status
        /// The distribution whose RECORD lists the file (nil for unlisted files).
        public let distribution: String?
    }

    public struct Result: Sendable {
        public var findings: [Finding] = []
        public var filesHashed = 0
        public var bytesHashed: Int64 = 0
    }

    /// `progress`: files hashed so far (called after each).
    public static func verify(siteDirs: [String], snapshot: Snapshot, progress: ((Int) -> Void)? = nil) -> Result {
        var result = Result()
        var listed = Set<String>()
        var topLevel = Set<String>()
        for dist in snapshot.distributions.values.sorted(by: { $0.name < $1.name }) {
            let site = FileSystem.dirname(dist.metadataPath)
            guard let record = FileSystem.read(FileSystem.join(dist.metadataPath, "RECORD")) else { continue }
            for fields in DistInfoFiles.recordRows(record) {
                guard let rel = fields.first, !rel.isEmpty else { continue }
                let path = FileSystem.absolute(rel, cwd: site)
                listed.insert(path)
                if path.hasPrefix(site + "/") {
                    let first = path.dropFirst(site.count + 1).split(separator: "/").first.map(String.init) ?? ""
                    if path.dropFirst(site.count + 1).contains("/") { topLevel.insert(FileSystem.join(site, first)) }
                }
                guard fields.count >= 2, fields[1].hasPrefix("sha256=") else { continue }
                let expected = String(fields[1].dropFirst(7))
                defer { progress?(result.filesHashed) }
                guard let digest = hashFile(path, into: &result) else {
                    result.findings.append(Finding(path: path, status: .missing, distribution: dist.name))
                    continue
                }
                if Digest.base64URL(digest) != expected {
                    result.findings.append(Finding(path: path, status: .modified, distribution: dist.name))
                }
            }
        }
        // Files inside package directories that no RECORD lists (bytecode caches excepted),
        // and `.pth` files at the top that no RECORD lists.
        for dir in topLevel.sorted() where !dir.hasSuffix(".dist-info") && !dir.hasSuffix(".egg-info") {
            walk(dir) { path in
                if !listed.contains(path) && !path.contains("/__pycache__/") && !path.hasSuffix(".pyc") {
                    result.findings.append(Finding(path: path, status: .unlisted, distribution: nil))
                }
            }
        }
        for path in snapshot.startupFiles.keys.sorted() where !listed.contains(path) {
            result.findings.append(Finding(path: path, status: .unlistedStartupHook, distribution: nil))
        }
        return result
    }

    static func hashFile(_ path: String, into result: inout Result) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = Digest.Hasher()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            buf.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            result.bytesHashed += Int64(n)
        }
        result.filesHashed += 1
        return hasher.finalize()
    }

    static func walk(_ dir: String, _ visit: (String) -> Void) {
        for name in FileSystem.list(dir) {
            let path = FileSystem.join(dir, name)
            guard let st = FileSystem.stat(path, followLinks: false) else { continue }
            if st.isDirectory { walk(path, visit) } else { visit(path) }
        }
    }
}
