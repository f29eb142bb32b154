import PkgtrailCore

/// Artifact hashes for a `uv pip` command, from what uv exposes:
/// - a local wheel named on the command line: hashed here (`hash_source: file`);
/// - an index install: uv's cache entry `wheels-v8/index/…/NAME/VERSION-TAGS.http`,
///   whose leading msgpack holds the archive id, the sha256 and the filename
///   (`hash_source: uv-cache-v8`). The format is uv's own and unversioned
///   beyond its directory name: any other version is left alone, with a note.
struct UvArtifacts: ArtifactSource {
    static let understoodCacheVersions: Set<String> = ["wheels-v8"]

    private var localWheels: [String: (version: String, path: String)] = [:]
    private var cacheDirs: [String] = []

    var localWheelNames: Set<String> { Set(localWheels.keys) }

    init(cmd: UvCommand, env: ProcessEnvironment, cwd: String, notes: inout [String]) {
        for arg in cmd.positionals where arg.hasSuffix(".whl") {
            let path = FileSystem.absolute(arg, cwd: cwd)
            let parts = FileSystem.basename(path).split(separator: "-")
            if parts.count >= 2 { localWheels[PackageName.normalize(String(parts[0]))] = (String(parts[1]), path) }
        }
        if cmd.has("--no-cache", "-n") || env.nonEmpty("UV_NO_CACHE") != nil {
            notes.append("uv ran without a cache; index artifact hashes were not available")
            return
        }
        let cache = Self.cacheRoot(cmd: cmd, env: env, cwd: cwd)
        let versions = FileSystem.list(cache).filter { $0.hasPrefix("wheels-v") }
        for v in versions.sorted() {
            if Self.understoodCacheVersions.contains(v) {
                cacheDirs.append(FileSystem.join(cache, v))
            } else {
                notes.append("uv cache \(v) is a format pkgtrail does not read; hashes from it are unknown")
            }
        }
    }

    /// uv's cache: `--cache-dir`, `UV_CACHE_DIR`, else `$XDG_CACHE_HOME/uv` (`~/.cache/uv`).
    static func cacheRoot(cmd: UvCommand, env: ProcessEnvironment, cwd: String) -> String {
        let root = cmd.last("--cache-dir") ?? env.nonEmpty("UV_CACHE_DIR")
            ?? (env.nonEmpty("XDG_CACHE_HOME") ?? env.home + "/.cache") + "/uv"
        return FileSystem.absolute(root, cwd: cwd)
    }

    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        if let local = localWheels[name], local.version == version {
            let sha = FileSystem.read(local.path).map { Digest.sha256Hex($0) }
            return ArtifactFacts(artifact: Artifact(url: "file://" + local.path, sha256: sha,
                                                    filename: FileSystem.basename(local.path),
                                                    hashSource: sha == nil ? nil : "file"),
                                 requested: nil, requiredBy: [])
        }
        var found: [UvCacheEntry] = []
        for dir in cacheDirs {
            let index = FileSystem.join(dir, "index")
            for source in FileSystem.list(index) {
                let pkgDir = "\(index)/\(source)/\(name)"
                for file in FileSystem.list(pkgDir) where file.hasPrefix(version + "-") && file.hasSuffix(".http") {
                    if let entry = UvCacheEntry(bytes: FileSystem.read("\(pkgDir)/\(file)", limit: 1 << 20) ?? []) {
                        found.append(entry)
                    }
                }
            }
        }
        let hashes = Set(found.map(\.sha256))
        guard hashes.count == 1, let entry = found.first else { return nil }
        return ArtifactFacts(artifact: Artifact(url: entry.url.map(Redaction.redactURLs), sha256: entry.sha256,
                                                filename: entry.filename, hashSource: "uv-cache-v8"),
                             requested: nil, requiredBy: [])
    }
}

/// The leading msgpack array of a uv `.http` cache entry:
/// `[archive id, [{"Sha256": hex}], filename, …]`, then uv's own binary data,
/// in which the download URL appears as plain bytes.
struct UvCacheEntry {
    let sha256: String
    let filename: String
    let url: String?

    init?(bytes: [UInt8]) {
        var r = MsgPackReader(bytes)
        guard let count = r.arrayHeader(), count >= 3, r.string() != nil,
              let hashCount = r.arrayHeader(), hashCount >= 1 else { return nil }
        var sha: String?
        for _ in 0..<hashCount {
            guard let pairs = r.mapHeader() else { return nil }
            for _ in 0..<pairs {
                guard let k = r.string(), let v = r.string() else { return nil }
                if k == "Sha256", v.count == 64, Hex.decode(v) != nil { sha = v }
            }
        }
        guard let sha, let filename = r.string(), filename.hasSuffix(".whl") else { return nil }
        self.sha256 = sha
        self.filename = filename
        url = Self.embeddedURL(bytes, from: r.offset, endingWith: filename)
    }

    /// The first `http(s)://` or `file://` run after `from` that ends with the filename.
    static func embeddedURL(_ b: [UInt8], from: Int, endingWith filename: String) -> String? {
        var i = from
        while i + 7 < b.count {
            if b[i] == 0x68 || b[i] == 0x66, let s = printableRun(b, at: i),
               s.hasPrefix("http://") || s.hasPrefix("https://") || s.hasPrefix("file://"), s.hasSuffix(filename) {
                return s
            }
            i += 1
        }
        return nil
    }

    private static func printableRun(_ b: [UInt8], at start: Int) -> String? {
        var j = start
        while j < b.count, b[j] > 0x20, b[j] < 0x7F { j += 1 }
        return j - start >= 10 ? String(decoding: b[start..<j], as: UTF8.self) : nil
    }
}

/// Just enough msgpack to read uv's cache headers: arrays, maps, strings.
struct MsgPackReader {
    let b: [UInt8]
    private(set) var offset = 0
    init(_ b: [UInt8]) { self.b = b }

    private mutating func byte() -> UInt8? {
        guard offset < b.count else { return nil }
        defer { offset += 1 }
        return b[offset]
    }

    private mutating func be(_ n: Int) -> Int? {
        guard offset + n <= b.count else { return nil }
        defer { offset += n }
        return b[offset..<offset + n].reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func arrayHeader() -> Int? {
        guard let t = byte() else { return nil }
        switch t {
        case 0x90...0x9f: return Int(t & 0x0f)
        case 0xdc: return be(2)
        case 0xdd: return be(4)
        default: return nil
        }
    }

    mutating func mapHeader() -> Int? {
        guard let t = byte() else { return nil }
        switch t {
        case 0x80...0x8f: return Int(t & 0x0f)
        case 0xde: return be(2)
        default: return nil
        }
    }

    mutating func string() -> String? {
        guard let t = byte() else { return nil }
        let n: Int?
        switch t {
        case 0xa0...0xbf: n = Int(t & 0x1f)
        case 0xd9, 0xc4: n = be(1)
        case 0xda, 0xc5: n = be(2)
        default: return nil
        }
        guard let len = n, offset + len <= b.count else { return nil }
        defer { offset += len }
        return String(decoding: b[offset..<offset + len], as: UTF8.self)
    }
}
