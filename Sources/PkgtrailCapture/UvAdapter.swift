import PkgtrailCore

/// uv's part of a recording (`uv pip install|uninstall|sync`): the target
/// environment as uv chooses it, and artifact hashes from what uv exposes —
/// the file itself for local wheels, uv's cache for index installs.
/// uv's output is never touched: it prints data on stdout.
final class UvAdapter: ToolAdapter {
    let tool = "uv"
    let target: CaptureTarget
    private let cmd: UvCommand
    private let env: ProcessEnvironment
    private let cwd: String
    private let realUV: String

    init(_ cmd: UvCommand, realUV: String, env: ProcessEnvironment, cwd: String) {
        self.cmd = cmd
        self.env = env
        self.cwd = cwd
        self.realUV = realUV
        target = Self.resolve(cmd, env: env, cwd: cwd)
    }

    /// FACTS.md: `--python`/`UV_PYTHON`, else `VIRTUAL_ENV`, else `CONDA_PREFIX`,
    /// else `.venv` in the working directory or a parent; `--system` takes the
    /// first python on PATH; `--target`/`--prefix` redirect the files.
    static func resolve(_ cmd: UvCommand, env: ProcessEnvironment, cwd: String) -> CaptureTarget {
        let path = env.nonEmpty("PATH") ?? ""
        var notes: [String] = []
        var python: String?
        if let request = cmd.last("--python", "-p") ?? env.nonEmpty("UV_PYTHON") {
            if request.contains("/") {
                python = PythonLocator.interpreter(fromOption: request, searchPath: path, cwd: cwd)
            } else {
                notes.append("--python \(request) is a version request; the active or nearest virtual environment was assumed")
            }
        }
        let system = cmd.has("--system") || ["1", "true"].contains(env.nonEmpty("UV_SYSTEM_PYTHON")?.lowercased() ?? "")
        if python == nil && system {
            // uv's --system skips virtual environments: the first non-venv python on PATH.
            python = systemPython(path: path, cwd: cwd)
        }
        if python == nil, let venv = env.nonEmpty("VIRTUAL_ENV") ?? env.nonEmpty("CONDA_PREFIX") {
            python = FileSystem.join(FileSystem.absolute(venv, cwd: cwd), "bin/python")
        }
        if python == nil {
            var dir = cwd
            while true {
                let candidate = FileSystem.join(dir, ".venv/bin/python")
                if FileSystem.exists(candidate) { python = candidate; break }
                if dir == "/" { break }
                dir = FileSystem.dirname(dir)
            }
        }
        guard let python, let info = PythonLocator.describe(python: python) else {
            return .unknown(python: python, note: "uv found no target environment pkgtrail could read; changes were not captured")
        }
        var environment = info.environment
        if let t = cmd.last("--target") {
            let dir = FileSystem.absolute(t, cwd: cwd)
            environment = Environment(prefix: dir, python: info.python, pythonVersion: info.version,
                                      platform: environment.platform, isVenv: false, siteDirs: [dir])
        } else if let p = cmd.last("--prefix") {
            let prefix = FileSystem.absolute(p, cwd: cwd)
            let xy = info.version.map { $0.split(separator: ".").prefix(2).joined(separator: ".") } ?? "3"
            environment = Environment(prefix: prefix, python: info.python, pythonVersion: info.version,
                                      platform: environment.platform, isVenv: false,
                                      siteDirs: ["\(prefix)/lib/python\(xy)/site-packages"])
        }
        return CaptureTarget(environment: environment, scanDirs: environment.siteDirs, notes: notes)
    }

    static func systemPython(path: String, cwd: String) -> String? {
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            for name in ["python3", "python"] {
                let candidate = FileSystem.join(dir.isEmpty ? cwd : String(dir), name)
                if FileSystem.isExecutableFile(candidate), PythonLocator.venv(python: candidate) == nil { return candidate }
            }
        }
        return nil
    }

    func prepare(before: Snapshot) -> [String: String] { [:] }

    func finish(_ run: ObservedRun) -> ToolFindings {
        var notes: [String] = []
        let artifacts = UvArtifacts(cmd: cmd, env: env, cwd: cwd, after: run.after, notes: &notes)
        let named = Set(cmd.positionals.filter { !$0.hasSuffix(".whl") && !$0.contains("/") }.map(PipReport.requirementName))
            .union(artifacts.localWheelNames)
        let fromFiles = cmd.has("-r", "--requirement", "-e", "--editable") || cmd.action == "sync"
        let (changes, hooks) = ChangeBuilder.build(deltas: run.deltas, hooks: run.hooks, artifacts: artifacts,
                                                   requestedNames: fromFiles ? nil : named)
        return ToolFindings(changes: changes, hooks: hooks, toolVersion: Self.version(of: realUV, stateDirectory: env.stateDirectory),
                            sources: Self.sources(cmd, env: env), notes: notes)
    }


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
        guard words.count >= 2, words[0] == "uv" || words[0] == "uvx", Version(String(words[1])) != nil else { return nil }
        let version = String(words[1])
        FileSystem.writeAtomically(cache, Array(version.utf8))
        return version
    }

    /// Indexes and find-links in force: command line first, then UV_* variables.
    static func sources(_ cmd: UvCommand, env: ProcessEnvironment) -> [Source] {
        var out: [Source] = []
        func add(_ kind: String, _ urls: [String], _ origin: String) {
            for u in urls { out.append(Source(kind: kind, url: Redaction.redactText(u), origin: origin)) }
        }
        let argvIndex = cmd.options.filter { ["--index-url", "-i", "--default-index"].contains($0.name) }.compactMap(\.value)
        if let last = argvIndex.last {
            add("index", [last], "argv")
        } else if let v = env.nonEmpty("UV_DEFAULT_INDEX") ?? env.nonEmpty("UV_INDEX_URL") {
            add("index", [v], env.nonEmpty("UV_DEFAULT_INDEX") != nil ? "env:UV_DEFAULT_INDEX" : "env:UV_INDEX_URL")
        }
        add("extra-index", cmd.options.filter { ["--extra-index-url", "--index"].contains($0.name) }.compactMap(\.value), "argv")
        for name in ["UV_EXTRA_INDEX_URL", "UV_INDEX"] {
            if let v = env.nonEmpty(name) { add("extra-index", v.split(separator: " ").map(String.init), "env:\(name)") }
        }
        add("find-links", cmd.options.filter { ["--find-links", "-f"].contains($0.name) }.compactMap(\.value), "argv")
        if let v = env.nonEmpty("UV_FIND_LINKS") { add("find-links", v.split(separator: ",").map(String.init), "env:UV_FIND_LINKS") }
        if cmd.has("--no-index") { out.append(Source(kind: "no-index", url: nil, origin: "argv")) }
        return out
    }
}
