import PkgtrailCore
import PkgtrailSystem

/// Artifact facts for what uv installed, from what uv itself verified or wrote
/// (read from astral-sh/uv: `WheelCache` and `CacheBucket`; checked against
/// uv 0.13.9's real cache, see Tests/PkgtrailCaptureTests/Fixtures/uv-cache):
///
/// 1. `direct_url.json` in the installed dist-info (PEP 610), which uv writes
///    for every direct install: a git commit, a local directory, a local
///    archive (hashed here, `hash_source: file`), or a URL, whose download uv
///    hashed into its cache under `wheels-v8/url/<digest>/NAME/` (wheels) or
///    `sdists-v11/url/<digest>/` (sdists).
/// 2. Otherwise a registry install: the wheel's cache entry
///    `wheels-v8/pypi/NAME/VERSION-TAGS.http` for the default index (PyPI),
///    `wheels-v8/index/<digest>/NAME/…` for any other index or find-links;
///    or, when uv built the wheel itself, the sdist it built it from:
///    `sdists-v11/{pypi,index/<digest>}/NAME/VERSION/revision.http`.
///
/// Each `.http` entry opens with a msgpack array holding the sha256 uv
/// verified (`hash_source: uv-cache-v8` for wheels, `uv-cache-sdists-v11`
/// for sdists). The layout is uv's own and versioned
/// only by its directory names: other versions are not read. Where nothing
/// tells, the hash stays null and a note says which case it was.
struct UvArtifacts: ArtifactSource {
    static let wheelBucket = "wheels-v8"
    static let sdistBucket = "sdists-v11"

    /// Why the cache could not be consulted (`--no-cache`), else nil.
    private let noCache: String?
    private let cache: String

    init(cmd: UvCommand, env: ProcessEnvironment, cwd: String) {
        cache = Self.cacheRoot(cmd: cmd, env: env, cwd: cwd)
        noCache =
            cmd.has("--no-cache", "-n") || env.nonEmpty("UV_NO_CACHE") != nil
            ? "uv ran without a cache (--no-cache), so the hashes it verified were not kept" : nil
    }

    /// uv's cache: `--cache-dir`, `UV_CACHE_DIR`, else `$XDG_CACHE_HOME/uv` (`~/.cache/uv`).
    static func cacheRoot(cmd: UvCommand, env: ProcessEnvironment, cwd: String) -> String {
        let root =
            cmd.last("--cache-dir") ?? env.nonEmpty("UV_CACHE_DIR")
            ?? (env.nonEmpty("XDG_CACHE_HOME") ?? env.home + "/.cache") + "/uv"
        return FileSystem.absolute(root, cwd: cwd)
    }

    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        guard let direct = DirectURLArtifacts.read(metadataPath) else {
            return registry(name: name, version: version, distInfo: metadataPath)
        }
        if let settled = DirectURLArtifacts.facts(direct, name: name, version: version, builder: "uv") {
            return settled
        }
        return archive(direct.url, name: name, version: version)
    }

    private func facts(_ artifact: Artifact, _ note: String? = nil) -> ArtifactFacts {
        DirectURLArtifacts.facts(artifact, note)
    }

    /// An archive URL with no declared hash: uv hashed it into its `url`
    /// bucket when it downloaded it.
    private func archive(_ url: String, name: String, version: String) -> ArtifactFacts {
        let filename = DirectURLArtifacts.filename(url)
        let sdist = !(filename ?? "").hasSuffix(".whl")
        let shown = Redaction.redactURLs(url)
        if let noCache {
            return facts(
                Artifact(url: shown, sha256: nil, filename: filename, hashSource: nil), "\(name) \(version): \(noCache)"
            )
        }
        let entries =
            sdist
            ? entries(in: Self.sdistBucket, under: "url", package: nil, file: { $0 == "revision.http" }, url: url)
            : entries(
                in: Self.wheelBucket, under: "url", package: name,
                file: { $0.hasPrefix(version + "-") && $0.hasSuffix(".http") }, url: url)
        return decide(
            entries, name: name, version: version, fallbackURL: shown, fallbackFilename: filename,
            built: sdist, place: "uv's cache for \(shown)")
    }

    /// A registry install: the wheel uv downloaded, else the sdist it built from.
    private func registry(name: String, version: String, distInfo: String?) -> ArtifactFacts {
        if let noCache {
            return facts(
                Artifact(url: nil, sha256: nil, filename: nil, hashSource: nil), "\(name) \(version): \(noCache)")
        }
        let tags = distInfo.map { WheelTags.installed(distInfo: $0) } ?? []
        let wheels =
            entries(
                in: Self.wheelBucket, under: "pypi", package: name,
                file: { Self.wheelEntry($0, version: version, tags: tags) }, url: nil)
            + entries(
                in: Self.wheelBucket, under: "index", package: name,
                file: { Self.wheelEntry($0, version: version, tags: tags) }, url: nil)
        if !wheels.isEmpty {
            return decide(
                wheels, name: name, version: version, fallbackURL: nil, fallbackFilename: nil, built: false, place: "")
        }
        let sdists =
            entries(
                in: Self.sdistBucket, under: "pypi", package: "\(name)/\(version)", file: { $0 == "revision.http" },
                url: nil)
            + entries(
                in: Self.sdistBucket, under: "index", package: "\(name)/\(version)", file: { $0 == "revision.http" },
                url: nil)
        return decide(
            sdists, name: name, version: version, fallbackURL: nil, fallbackFilename: nil, built: true,
            place: "uv's cache (\(cache)/\(Self.wheelBucket), \(Self.sdistBucket))")
    }

    /// `VERSION-TAGS.http`, for the installed wheel's tags when they are known.
    static func wheelEntry(_ file: String, version: String, tags: Set<String>) -> Bool {
        guard file.hasPrefix(version + "-"), file.hasSuffix(".http") else { return false }
        guard !tags.isEmpty else { return true }
        let entryTags = file.dropFirst(version.count + 1).dropLast(5)
        return !WheelTags.expand(String(entryTags)).isDisjoint(with: tags)
    }

    /// One verdict from the entries found: one sha256, or null saying why.
    private func decide(
        _ found: [UvCacheEntry], name: String, version: String, fallbackURL: String?,
        fallbackFilename: String?, built: Bool, place: String
    ) -> ArtifactFacts {
        let what = "\(name) \(version)"
        let hashes = Set(found.map(\.sha256))
        guard let entry = found.first else {
            var note = "\(what): not found in \(place): its sha256 is unknown"
            let other = unknownBuckets()
            if !other.isEmpty {
                note += " (the cache also holds \(other.joined(separator: ", ")), layouts pkgtrail does not read)"
            }
            return facts(Artifact(url: fallbackURL, sha256: nil, filename: fallbackFilename, hashSource: nil), note)
        }
        guard hashes.count == 1 else {
            return facts(
                Artifact(url: nil, sha256: nil, filename: nil, hashSource: nil),
                "\(what): uv's cache holds \(hashes.count) different sha256 for it "
                    + "(\(hashes.sorted().map { String($0.prefix(12)) }.joined(separator: ", "))…, from different "
                    + "indexes); which one was installed cannot be told"
            )
        }
        let url = entry.url.map(Redaction.redactURLs) ?? fallbackURL
        let filename =
            entry.filename ?? url.flatMap { $0.split(separator: "/").last.map(String.init) } ?? fallbackFilename
        return facts(
            Artifact(
                url: url, sha256: entry.sha256, filename: filename,
                hashSource: built ? "uv-cache-\(Self.sdistBucket)" : "uv-cache-v8"),
            built ? "\(what): uv built the installed wheel from this sdist; the sha256 is the sdist's" : nil)
    }

    /// Entries in `cache/bucket/under/*/package/` (`pypi` has no digest level).
    private func entries(in bucket: String, under: String, package: String?, file: (String) -> Bool, url: String?)
        -> [UvCacheEntry]
    {
        let base = "\(cache)/\(bucket)/\(under)"
        let roots = under == "pypi" ? [base] : FileSystem.list(base).map { "\(base)/\($0)" }
        var out: [UvCacheEntry] = []
        for root in roots {
            // A URL's sdist sits at url/<digest>/ directly; everything else under the package.
            let dir = package.map { "\(root)/\($0)" } ?? root
            for name in FileSystem.list(dir) where file(name) {
                guard let entry = UvCacheEntry(bytes: FileSystem.read("\(dir)/\(name)", limit: 1 << 20) ?? []) else {
                    continue
                }
                if let url, let seen = entry.url, seen != url { continue }
                out.append(entry)
            }
        }
        return out
    }

    /// Cache buckets of other versions, said only when a lookup came up empty.
    private func unknownBuckets() -> [String] {
        FileSystem.list(cache).filter {
            ($0.hasPrefix("wheels-v") && $0 != Self.wheelBucket) || ($0.hasPrefix("sdists-v") && $0 != Self.sdistBucket)
        }.sorted()
    }
}

extension WheelTags {
    /// The tags an installed dist-info's `WHEEL` file names.
    static func installed(distInfo: String) -> Set<String> {
        FileSystem.readText(FileSystem.join(distInfo, "WHEEL"), limit: 1 << 16).map(WheelTags.init(wheelFile:))?.tags
            ?? []
    }
}
