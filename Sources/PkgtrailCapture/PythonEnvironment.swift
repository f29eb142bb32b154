import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Facts about one Python interpreter's installation scheme.
struct PythonInfo: Equatable {
    var python: String
    var prefix: String
    var version: String?
    var isVenv: Bool
    var purelib: String
    var platlib: String
    var userSite: String?
}

/// Learns where an interpreter installs packages without letting any code
/// from its site-packages run: venvs are read natively from `pyvenv.cfg`;
/// other interpreters are asked with `-S`, which skips `site` and so every
/// `.pth` file (docs/FACTS.md: a `.pth` import line runs even under `-I`).
enum PythonLocator {
    /// The interpreter a pip script runs under, from its shebang (including
    /// pip's `/bin/sh` trampoline for long paths). Nil for a non-Python launcher.
    static func interpreter(ofScript path: String, searchPath: String, cwd: String) -> String? {
        guard let head = FileSystem.read(path, limit: 1024), head.starts(with: Array("#!".utf8)) else { return nil }
        let lines = String(decoding: head, as: UTF8.self).split(
            omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let shebang = lines[0].dropFirst(2).trimmingSpaces
        let words = shebang.split(separator: " ").map(String.init)
        guard let first = words.first else { return nil }
        if first == "/bin/sh", lines.count > 1 {
            // '''exec' "/very/long/path/bin/python" "$0" "$@"
            let l = String(lines[1])
            if l.hasPrefix("'''exec' \""), let end = l.dropFirst(10).firstIndex(of: "\"") {
                return String(l[l.index(l.startIndex, offsetBy: 10)..<end])
            }
            return nil
        }
        if FileSystem.basename(first) == "env", words.count > 1 {
            let name = words.dropFirst().first { !$0.hasPrefix("-") } ?? ""
            guard name.hasPrefix("python") else { return nil }
            return RealTool.locate(name, path: searchPath, cwd: cwd)
        }
        return FileSystem.basename(first).hasPrefix("python") ? first : nil
    }

    /// `--python` accepts an interpreter or an environment directory, like pip.
    static func interpreter(fromOption value: String, searchPath: String, cwd: String) -> String? {
        let abs = value.contains("/") ? FileSystem.absolute(value, cwd: cwd) : nil
        if let abs, let st = FileSystem.stat(abs), st.isDirectory {
            for candidate in ["bin/python3", "bin/python"]
            where FileSystem.isExecutableFile(FileSystem.join(abs, candidate)) {
                return FileSystem.join(abs, candidate)
            }
            return nil
        }
        return abs ?? RealTool.locate(value, path: searchPath, cwd: cwd)
    }

    /// A launcher that execs a venv's interpreter (pyenv's bash shims, a
    /// wrapper script) is seen through: under `-S` the venv's own `site`
    /// never runs, so the probe reports the base prefix, but the executable
    /// it names sits beside the venv's `pyvenv.cfg`.
    static func describe(python: String) -> PythonInfo? {
        if let v = venv(python: python) { return v }
        guard let probed = probe(python: python) else { return nil }
        if let executable = probed.executable, executable != python, let v = venv(python: executable) { return v }
        return probed.info
    }

    /// PEP 405: `pyvenv.cfg` beside the executable or one directory up.
    static func venv(python: String) -> PythonInfo? {
        let bin = FileSystem.dirname(python)
        for dir in [bin, FileSystem.dirname(bin)] {
            guard let cfg = FileSystem.readText(FileSystem.join(dir, "pyvenv.cfg")) else { continue }
            var values: [String: String] = [:]
            for line in cfg.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0].trimmingSpaces)] = String(parts[1].trimmingSpaces) }
            }
            let version = values["version"] ?? values["version_info"]
            let lib = FileSystem.join(dir, "lib")
            var site: String?
            if let v = version {
                let xy = Version.majorMinor(v)
                site = "\(lib)/python\(xy)/site-packages"
            }
            if site == nil || !FileSystem.exists(site!) {
                site =
                    FileSystem.list(lib).filter { $0.hasPrefix("python") }.sorted().last
                    .map { "\(lib)/\($0)/site-packages" } ?? site
            }
            guard let purelib = site else { return nil }
            return PythonInfo(
                python: python, prefix: dir, version: version, isVenv: true, purelib: purelib,
                platlib: purelib, userSite: nil)
        }
        return nil
    }

    static let probeScript = """
        import sys, sysconfig, site
        p = sysconfig.get_paths()
        print(sys.prefix); print("%d.%d.%d" % sys.version_info[:3]); print(p["purelib"]); print(p["platlib"])
        print(site.getusersitepackages()); print(int(sys.prefix != sys.base_prefix)); print(sys.executable)
        """

    static func probe(python: String) -> (info: PythonInfo, executable: String?)? {
        guard let out = ProcessRunner.capture(path: python, argv: [python, "-S", "-c", probeScript]) else { return nil }
        let lines = String(decoding: out, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        guard lines.count >= 6 else { return nil }
        return (
            PythonInfo(
                python: python, prefix: lines[0], version: lines[1], isVenv: lines[5] == "1",
                purelib: lines[2], platlib: lines[3], userSite: lines[4]),
            lines.count >= 7 && lines[6].hasPrefix("/") ? lines[6] : nil
        )
    }

    static var platform: String {
        var u = utsname()
        uname(&u)
        func field<T>(_ t: T) -> String {
            withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(u.sysname).lowercased())-\(field(u.machine))"
    }
}

extension PythonInfo {
    /// The environment as an event describes it, with no scheme options applied.
    var environment: Environment {
        Environment(
            prefix: prefix, python: python, pythonVersion: version, platform: PythonLocator.platform,
            isVenv: isVenv, siteDirs: Array(Set([purelib, platlib])).sorted())
    }
}
