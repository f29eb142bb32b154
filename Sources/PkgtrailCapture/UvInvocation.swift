import PkgtrailCore
import PkgtrailSystem

/// One uv command line and where it runs: what every uv adapter starts from,
/// with the facts they all report the same way (uv's version, the sources
/// in force, artifacts from uv's cache).
struct UvInvocation {
    let cmd: UvCommand
    let env: ProcessEnvironment
    let cwd: String
    /// The real uv (or uvx) binary.
    let realUV: String

    var version: String? { Self.version(of: realUV, stateDirectory: env.stateDirectory) }

    var cacheRoot: String { UvArtifacts.cacheRoot(cmd: cmd, env: env, cwd: cwd) }

    var cacheArtifacts: UvArtifacts { UvArtifacts(cmd: cmd, env: env, cwd: cwd) }

    /// uv's version: from the dist-info beside a pip-installed uv, else from
    /// `uv --version` (uv's own binary, not the target's interpreter: safe to
    /// run), remembered per binary identity in the state directory so the
    /// ~10 ms are paid once per uv upgrade.
    static func version(of uv: String, stateDirectory: String) -> String? {
        let lib = FileSystem.join(FileSystem.dirname(FileSystem.dirname(uv)), "lib")
        for py in FileSystem.list(lib) where py.hasPrefix("python") {
            let site = "\(lib)/\(py)/site-packages"
            for name in FileSystem.list(site) where name.hasPrefix("uv-") && name.hasSuffix(".dist-info") {
                return String(name.dropFirst(3).dropLast(10))
            }
        }
        guard let st = FileSystem.stat(uv) else { return nil }
        let key = Digest.sha256Hex(Array("\(uv)\n\(st.identity)".utf8)).prefix(16)
        let cache = "\(stateDirectory)/uv-version-\(key)"
        if let cached = FileSystem.readText(cache, limit: 64), !cached.isEmpty { return cached }
        guard let out = ProcessRunner.capture(path: uv, argv: [uv, "--version"]) else { return nil }
        let words = String(decoding: out, as: UTF8.self).split(separator: " ")
        guard words.count >= 2, words[0] == "uv" || words[0] == "uvx", Version(String(words[1])) != nil else {
            return nil
        }
        let version = String(words[1])
        FileSystem.writeAtomically(cache, Array(version.utf8))
        return version
    }

    /// Indexes and find-links in force: command line first, then UV_* variables.
    var sources: [Source] {
        var out: [Source] = []
        func add(_ kind: String, _ urls: [String], _ origin: String) {
            for u in urls { out.append(Source(kind: Source.Kind(kind), url: Redaction.redactText(u), origin: origin)) }
        }
        let argvIndex = cmd.options.filter { ["--index-url", "-i", "--default-index"].contains($0.name) }.compactMap(
            \.value)
        if let last = argvIndex.last {
            add("index", [last], "argv")
        } else if let v = env.nonEmpty("UV_DEFAULT_INDEX") ?? env.nonEmpty("UV_INDEX_URL") {
            add("index", [v], env.nonEmpty("UV_DEFAULT_INDEX") != nil ? "env:UV_DEFAULT_INDEX" : "env:UV_INDEX_URL")
        }
        add(
            "extra-index",
            cmd.options.filter { ["--extra-index-url", "--index"].contains($0.name) }.compactMap(\.value), "argv")
        for name in ["UV_EXTRA_INDEX_URL", "UV_INDEX"] {
            if let v = env.nonEmpty(name) {
                add("extra-index", v.split(separator: " ").map(String.init), "env:\(name)")
            }
        }
        add("find-links", cmd.options.filter { ["--find-links", "-f"].contains($0.name) }.compactMap(\.value), "argv")
        if let v = env.nonEmpty("UV_FIND_LINKS") {
            add("find-links", v.split(separator: ",").map(String.init), "env:UV_FIND_LINKS")
        }
        if cmd.has("--no-index") { out.append(Source(kind: .noIndex, url: nil, origin: "argv")) }
        return out
    }
}
