/// The parts of a `uv.lock` (version 1) that say what a project installs:
/// each package's name, version, source, artifacts with their sha256, and
/// dependencies. A line-oriented reader for the subset uv writes (it writes
/// one key per line, inline tables one per line), not a general TOML parser;
/// anything it does not recognise is skipped, never guessed.
public struct UvLock: Sendable {
    public struct Artifact: Sendable, Equatable {
        public var url: String?
        public var path: String?
        public var sha256: String?
        public var filename: String? {
            (url ?? path).flatMap { $0.split(separator: "/").last.map(String.init) }
        }
    }

    public struct Package: Sendable, Equatable {
        public var name: String
        public var version: String?
        /// "registry", "editable", "virtual", "path", "directory", "git", "url"
        public var sourceKind: String?
        public var sourceValue: String?
        public var wheels: [Artifact] = []
        public var sdist: Artifact?
        public var dependencies: [String] = []
    }

    public var packages: [Package] = []

    public init(text: String) {
        var current: Package?
        var section = ""
        var list: String?  // the array being read: "wheels" | "dependencies"
        func flush() { if let c = current { packages.append(c) } }
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.hasPrefix("[") && !line.hasPrefix("[{") && list == nil {
                if line == "[[package]]" {
                    flush()
                    current = Package(name: "")
                    section = "package"
                } else {
                    section = String(line)
                }
                continue
            }
            guard section == "package", current != nil else { continue }
            if let open = list {
                if line.hasPrefix("]") {
                    list = nil
                    continue
                }
                let table = Self.inlineTable(line)
                if open == "wheels" {
                    current!.wheels.append(Self.artifact(table))
                } else if open == "dependencies", let n = table["name"] {
                    current!.dependencies.append(PackageName.normalize(n))
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingSpaces
            let value = line[line.index(after: eq)...].trimmingSpaces
            switch key {
            case "name": current!.name = PackageName.normalize(Self.unquote(value))
            case "version": current!.version = Self.unquote(value)
            case "source":
                let t = Self.inlineTable(value)
                if let (k, v) = t.first {
                    current!.sourceKind = k
                    current!.sourceValue = v
                }
            case "sdist": current!.sdist = Self.artifact(Self.inlineTable(value))
            case "wheels", "dependencies":
                if value.hasPrefix("[") && !value.hasSuffix("]") {
                    list = String(key)
                } else if value.hasPrefix("[") {
                    // A one-line array: `wheels = [{ url = "…", hash = "…" }]`.
                    for part in value.dropFirst().dropLast().split(separator: "}") where part.contains("{") {
                        let t = Self.inlineTable(part + "}")
                        if key == "wheels" {
                            current!.wheels.append(Self.artifact(t))
                        } else if let n = t["name"] {
                            current!.dependencies.append(PackageName.normalize(n))
                        }
                    }
                }
            default: continue
            }
        }
        flush()
    }

    public func package(named name: String) -> Package? { packages.first { $0.name == name } }

    /// Packages whose dependencies include `name`.
    public func requirers(of name: String) -> [String] {
        packages.filter { $0.dependencies.contains(name) }.map(\.name).sorted()
    }

    static func artifact(_ t: [String: String]) -> Artifact {
        var sha: String? = nil
        if let h = t["hash"], h.hasPrefix("sha256:") {
            let hex = String(h.dropFirst(7))
            if hex.count == 64, Hex.decode(hex) != nil { sha = hex }
        }
        return Artifact(url: t["url"], path: t["path"], sha256: sha)
    }

    static func unquote(_ s: Substring) -> String {
        var v = s
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = v.dropFirst().dropLast() }
        return String(v)
    }

    /// `{ url = "…", hash = "…", size = 12 }` → string values by key (strings only).
    static func inlineTable(_ s: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var body = s.trimmingSpaces
        if body.hasSuffix(",") { body = body.dropLast().trimmingSpaces }
        guard body.hasPrefix("{"), body.hasSuffix("}") else { return out }
        let inner = Array(body.dropFirst().dropLast())
        var i = 0
        while i < inner.count {
            while i < inner.count, inner[i] == " " || inner[i] == "," { i += 1 }
            var key = ""
            while i < inner.count, inner[i] != "=", inner[i] != " " {
                key.append(inner[i])
                i += 1
            }
            while i < inner.count, inner[i] == " " || inner[i] == "=" { i += 1 }
            guard i < inner.count else { break }
            if inner[i] == "\"" {
                i += 1
                var v = ""
                while i < inner.count, inner[i] != "\"" {
                    if inner[i] == "\\", i + 1 < inner.count { i += 1 }
                    v.append(inner[i])
                    i += 1
                }
                i += 1
                out[key] = v
            } else {
                while i < inner.count, inner[i] != "," { i += 1 }
            }
        }
        return out
    }
}

/// A uv tool receipt (`uv-receipt.toml`): the executables it exposes and
/// the index options it was installed with.
public struct UvToolReceipt: Sendable {
    public var executables: [String] = []
    public var indexURLs: [String] = []

    public init(text: String) {
        var section = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.hasPrefix("[") && !line.hasPrefix("[{") && line.hasSuffix("]") && !line.contains("=") {
                section = String(line)
                continue
            }
            if section == "[tool]", line.hasPrefix("{") {
                if let p = UvLock.inlineTable(line)["install-path"] { executables.append(p) }
            } else if section == "[tool.options]", let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingSpaces
                if key == "index-url" || key == "extra-index-url" || key == "default-index" {
                    indexURLs.append(UvLock.unquote(line[line.index(after: eq)...].trimmingSpaces))
                }
            }
        }
    }
}
