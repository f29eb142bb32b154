import PkgtrailCore
import PkgtrailSystem

/// What an installed distribution's `direct_url.json` (PEP 610) says of its
/// artifact, read from the dist-info without running anything: a git commit,
/// a local directory, an archive with the sha256 it declares, or a local
/// archive hashed here. Every installer writes it for direct installs (pip,
/// uv, poetry), so it tells the watcher where a change came from whatever
/// made it. Nil for a registry install (no such file).
struct DirectURLArtifacts: ArtifactSource {
    func lookup(name: String, version: String, metadataPath: String?) -> ArtifactFacts? {
        guard let direct = Self.read(metadataPath) else { return nil }
        if let known = Self.facts(direct, name: name, version: version) { return known }
        return Self.facts(
            Artifact(
                url: Redaction.redactURLs(direct.url), sha256: nil, filename: Self.filename(direct.url),
                hashSource: nil),
            "\(name) \(version) came from \(Redaction.redactURLs(direct.url)), whose direct_url.json declares no "
                + "sha256")
    }

    static func read(_ metadataPath: String?) -> DirectURL? {
        metadataPath.flatMap {
            DirectURL(bytes: FileSystem.read(FileSystem.join($0, "direct_url.json"), limit: 1 << 20))
        }
    }

    static func filename(_ url: String) -> String? {
        url.split(separator: "/").last.map(String.init).map { $0.split(separator: "#").first.map(String.init) ?? $0 }
    }

    static func facts(_ artifact: Artifact, _ note: String? = nil) -> ArtifactFacts {
        ArtifactFacts(artifact: artifact, requested: nil, requiredBy: [], notes: note.map { [$0] } ?? [])
    }

    /// Everything the file itself settles; nil for an archive URL that
    /// declares no hash (only an installer's cache may know it).
    /// `builder`: the installer known to have built a wheel from an sdist.
    static func facts(_ direct: DirectURL, name: String, version: String, builder: String? = nil) -> ArtifactFacts? {
        let what = "\(name) \(version)"
        switch direct.kind {
        case .vcs(let vcs, let commit):
            let url = Redaction.redactURLs("\(vcs)+\(direct.url)" + (commit.map { "@\($0)" } ?? ""))
            return facts(
                Artifact(url: url, sha256: nil, filename: nil, hashSource: nil),
                "\(what) was built from \(vcs) \(Redaction.redactURLs(direct.url))"
                    + (commit.map { " at commit \($0)" } ?? "") + ": no archive exists, so no sha256")
        case .directory(let editable):
            // The file is whatever was written into site-packages: the note
            // shows the URL redacted too, not only the artifact.
            let shown = Redaction.redactURLs(direct.url)
            return facts(
                Artifact(url: shown, sha256: nil, filename: nil, hashSource: nil),
                "\(what) was built from the local directory "
                    + "\(shown.dropFirst(shown.hasPrefix("file://") ? 7 : 0))"
                    + (editable ? " (editable)" : "") + ": no archive exists, so no sha256")
        case .archive(let declared):
            let url = direct.url
            let filename = Self.filename(url)
            let sdist = !(filename ?? "").hasSuffix(".whl")
            let built =
                !sdist
                ? ""
                : builder.map { "; \($0) built the installed wheel from this sdist" }
                    ?? "; the installed wheel was built from this sdist"
            let shown = Redaction.redactURLs(url)
            if let declared {
                return facts(
                    Artifact(url: shown, sha256: declared, filename: filename, hashSource: "direct_url"),
                    sdist ? "\(what): the sha256 is the sdist's\(built)" : nil)
            }
            guard url.hasPrefix("file://") else { return nil }
            let path = String(url.dropFirst(7))
            guard let st = FileSystem.stat(path), st.isRegular, let bytes = FileSystem.read(path) else {
                return facts(
                    Artifact(url: shown, sha256: nil, filename: filename, hashSource: nil),
                    "\(what) came from \(path), which is no longer a readable file: no sha256")
            }
            return facts(
                Artifact(url: shown, sha256: Digest.sha256Hex(bytes), filename: filename, hashSource: "file"),
                sdist ? "\(what): the sha256 is the local sdist's\(built)" : nil)
        }
    }
}
