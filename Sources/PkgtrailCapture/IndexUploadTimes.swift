import PkgtrailCore
import PkgtrailSystem

/// Whether an index publishes upload times (PEP 700: the JSON simple API's
/// `upload-time`), which pip needs before it can apply a cut-off: given one
/// against an index without them (HTML-only mirrors, many proxies), pip
/// fails every install. Asked once a day per index, of one project page,
/// by the environment's own Python (its proxies and certificates, and
/// nothing of ours in the way: `-I -S`, so no `.pth` runs); kept under the
/// state directory by the URL's sha256 (the URL itself may hold a password).
enum IndexUploadTimes {
    enum Answer: String {
        case yes, no, unknown
    }

    static let maxAgeMilliseconds: Int64 = 86_400_000

    /// The probe: prints yes, no or unknown (any failure: then pip decides,
    /// as it would); then, for each version named after it, the earliest
    /// upload time of its files (`version<TAB>time`). The page's URL comes in
    /// the environment, never on the command line, where any user's `ps`
    /// would show a password it holds; a `user:password@` is sent as pip
    /// sends it, as basic authentication.
    static let script = """
        import base64, json, os, sys, urllib.parse, urllib.request
        url = urllib.parse.urlsplit(os.environ.pop("PKGTRAIL_INDEX_PAGE"))
        headers = {"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.01", "User-Agent": "pkgtrail"}
        if url.username is not None:
            who = urllib.parse.unquote(url.username) + ":" + urllib.parse.unquote(url.password or "")
            headers["Authorization"] = "Basic " + base64.b64encode(who.encode()).decode()
            url = url._replace(netloc=url.netloc.rpartition("@")[2])
        try:
            with urllib.request.urlopen(urllib.request.Request(url.geturl(), headers=headers), timeout=5) as r:
                kind, body = r.headers.get("Content-Type", ""), r.read(32 << 20)
            if "json" not in kind:
                print("no")
                sys.exit(0)
            files = json.loads(body).get("files") or []
            print("unknown" if not files else "yes" if any("upload-time" in f for f in files) else "no")
            for v in sys.argv[1:]:
                times = []
                for f in files:
                    name = f.get("filename", "")
                    stem = name[:-4] if name.endswith(".whl") else name.rsplit(".tar", 1)[0].rsplit(".zip", 1)[0]
                    parts = stem.split("-")
                    fv = parts[1] if name.endswith(".whl") and len(parts) > 1 else parts[-1]
                    if fv == v and f.get("upload-time"):
                        times.append(f["upload-time"])
                if times:
                    print(v + "\\t" + min(times))
        except Exception:
            print("unknown")
        """

    /// The probe's lines for one project page, or none when it could not run.
    static func probe(index: String, project: String, versions: [String], python: String) -> [Substring] {
        let out = ProcessRunner.capture(
            path: python, argv: [python, "-I", "-S", "-c", script] + versions,
            setting: ["PKGTRAIL_INDEX_PAGE": page(index, project)])
        return String(decoding: out ?? [], as: UTF8.self).split(separator: "\n")
    }

    /// When each of `versions` of `project` was first uploaded to `index`
    /// (asked now, not kept: only after a failure, to say what the cooldown kept out).
    static func uploaded(index: String, project: String, versions: [String], python: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in probe(index: index, project: project, versions: versions, python: python).dropFirst() {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { found[String(parts[0])] = String(parts[1]) }
        }
        return found
    }

    static func page(_ index: String, _ project: String) -> String {
        (index.hasSuffix("/") ? index : index + "/") + PackageName.normalize(project) + "/"
    }

    static func answer(
        index: String, project: String, python: String, stateDirectory: String, nowMilliseconds now: Int64
    ) -> Answer {
        let key = Digest.sha256Hex(Array(index.utf8))
        let path = FileSystem.join(stateDirectory, "policy/index-\(key).txt")
        if let text = FileSystem.readText(path) {
            let parts = text.split(separator: " ")
            if parts.count == 2, let a = Answer(rawValue: String(parts[0])),
                let at = Int64(parts[1].trimmingSpaces), now - at < maxAgeMilliseconds, at <= now
            {
                return a
            }
        }
        let first = probe(index: index, project: project, versions: [], python: python).first
        let answer = first.flatMap { Answer(rawValue: String($0)) } ?? .unknown
        // Unknown is not kept: the next command asks again.
        if answer != .unknown {
            FileSystem.makeDirectories(FileSystem.dirname(path))
            _ = FileSystem.writeAtomically(path, Array("\(answer.rawValue) \(now)\n".utf8))
        }
        return answer
    }
}
