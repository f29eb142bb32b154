import PkgtrailCore
import PkgtrailSystem

/// The package sources in force for a pip command, layered as pip layers
/// them: command line over `PIP_*` environment over config files (later
/// files over earlier). `index-url` is single-valued (the top layer wins);
/// `extra-index-url` and `find-links` on the command line add to the value
/// from the environment or config. Every URL is redacted before it is kept.
enum PipSources {
    struct Layer {
        var values: [String: [String]] = [:]
        var origin: [String: String] = [:]
    }

    /// What pip's config files set (`[global]`, then `[install]`, later files
    /// over earlier), each value with `config:FILE`: read once per command,
    /// for its sources and its cooldown alike.
    static func config(_ cmd: PipCommand, env: ProcessEnvironment, prefix: String?) -> Layer {
        var config = Layer()
        for file in configFiles(env: env, prefix: prefix, isolated: isolated(cmd, env)) {
            guard let text = FileSystem.readText(file) else { continue }
            let ini = parseINI(text)
            for section in ["global", "install"] {
                for (key, value) in ini[section] ?? [:] {
                    config.values[key] = value
                    config.origin[key] = "config:\(file)"
                }
            }
        }
        return config
    }

    static func isolated(_ cmd: PipCommand, _ env: ProcessEnvironment) -> Bool {
        cmd.has("--isolated") || cmd.isTruthy(env.nonEmpty("PIP_ISOLATED"))
    }

    static func resolve(_ cmd: PipCommand, env: ProcessEnvironment, prefix: String?) -> [Source] {
        resolve(cmd, env: env, config: config(cmd, env: env, prefix: prefix))
    }

    /// `redacted: false` only for pkgtrail's own use of an index (asking it
    /// whether it publishes upload times): never kept, never printed.
    static func resolve(_ cmd: PipCommand, env: ProcessEnvironment, config: Layer, redacted: Bool = true) -> [Source] {
        let isolated = isolated(cmd, env)
        var environment = Layer()
        if !isolated {
            for (key, name) in [
                ("index-url", "PIP_INDEX_URL"), ("extra-index-url", "PIP_EXTRA_INDEX_URL"),
                ("find-links", "PIP_FIND_LINKS"), ("no-index", "PIP_NO_INDEX")
            ] {
                if let v = env.nonEmpty(name) {
                    environment.values[key] = v.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
                    environment.origin[key] = "env:\(name)"
                }
            }
        }
        func lower(_ key: String) -> ([String], String)? {
            if let v = environment.values[key] { return (v, environment.origin[key]!) }
            if let v = config.values[key] { return (v, config.origin[key]!) }
            return nil
        }
        var out: [Source] = []
        func add(_ kind: String, _ urls: [String], _ origin: String) {
            for u in urls {
                out.append(Source(kind: Source.Kind(kind), url: redacted ? Redaction.redactText(u) : u, origin: origin))
            }
        }
        if let index = cmd.last("-i", "--index-url") {
            add("index", [index], "argv")
        } else if let (v, o) = lower("index-url") {
            add("index", Array(v.suffix(1)), o)
        }
        for (key, kind, flags) in [
            ("extra-index-url", "extra-index", ["--extra-index-url"]),
            ("find-links", "find-links", ["-f", "--find-links"])
        ] {
            if let (v, o) = lower(key) { add(kind, v, o) }
            add(kind, cmd.options.filter { flags.contains($0.name) }.compactMap(\.value), "argv")
        }
        if cmd.has("--no-index") {
            out.append(Source(kind: .noIndex, url: nil, origin: "argv"))
        } else if let (v, o) = lower("no-index"), cmd.isTruthy(v.last) {
            out.append(Source(kind: .noIndex, url: nil, origin: o))
        }
        return out
    }

    /// pip's configuration files, lowest precedence first. `PIP_CONFIG_FILE`
    /// set to /dev/null disables them all, as in pip.
    static func configFiles(env: ProcessEnvironment, prefix: String?, isolated: Bool) -> [String] {
        let explicit = env.nonEmpty("PIP_CONFIG_FILE")
        if explicit == "/dev/null" { return [] }
        let xdgDirs = (env.nonEmpty("XDG_CONFIG_DIRS") ?? "/etc/xdg").split(separator: ":").map { "\($0)/pip/pip.conf" }
        var files = xdgDirs + ["/etc/pip.conf"]
        if !isolated {
            let configHome = env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config"
            files += [env.home + "/.pip/pip.conf", configHome + "/pip/pip.conf"]
        }
        if let prefix { files.append(prefix + "/pip.conf") }
        if let explicit { files.append(explicit) }
        return files
    }

    /// A small INI reader: `[section]`, `key = value`, indented continuation
    /// lines (pip's multi-URL values), `#`/`;` comments. Keys are lowercased
    /// with `_` as `-`, as pip normalizes them.
    static func parseINI(_ text: String) -> [String: [String: [String]]] {
        var out: [String: [String: [String]]] = [:]
        var section = ""
        var key: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if raw.first == " " || raw.first == "\t", let k = key {
                out[section, default: [:]][k, default: []].append(
                    contentsOf: line.split(separator: " ").map(String.init))
                continue
            }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).lowercased()
                key = nil
                continue
            }
            let sep = line.firstIndex { $0 == "=" || $0 == ":" }
            guard let sep else { continue }
            let k = String(line[..<sep].trimmingSpaces).lowercased().map { $0 == "_" ? "-" : $0 }
            let name = String(k)
            let value = line[line.index(after: sep)...].trimmingSpaces
            out[section, default: [:]][name] = value.split(separator: " ").map(String.init)
            key = name
        }
        return out
    }
}
