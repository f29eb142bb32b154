import PkgtrailCore
import PkgtrailSystem

/// Where a pip command installs: the interpreter (from `--python`,
/// `PIP_PYTHON`, or the real pip's shebang) and the scheme options
/// (`--target`, `--prefix`, `--root`, `--user`) applied to its paths.
struct PipTarget {
    /// `scanDirs` include the user site for non-venv interpreters: pip falls
    /// back to `--user` by itself when site-packages is not writable, and
    /// uninstall reaches it too.
    var capture: CaptureTarget
    /// Where pip itself is installed, to read its version without running it.
    var pipSiteDir: String?

    /// How pip was started: its own script (`pip`, `pip3.11`), or an
    /// interpreter running it as a module (`python -m pip`).
    enum Launcher {
        case script(String)
        case interpreter(String)
    }

    static func resolve(_ cmd: PipCommand, launcher: Launcher, env: ProcessEnvironment, cwd: String) -> PipTarget {
        let path = env.nonEmpty("PATH") ?? ""
        var notes: [String] = []
        let pipPython: String?
        switch launcher {
        case .script(let realPip): pipPython = PythonLocator.interpreter(ofScript: realPip, searchPath: path, cwd: cwd)
        case .interpreter(let python): pipPython = python
        }
        var python = pipPython
        if let option = cmd.last("--python") ?? env.nonEmpty("PIP_PYTHON") {
            python = PythonLocator.interpreter(fromOption: option, searchPath: path, cwd: cwd)
            if python == nil {
                notes.append("--python \(Redaction.redactText(option)) did not name an interpreter pkgtrail could read")
            }
        }
        if python == nil, pipPython == nil {
            // A launcher pkgtrail cannot read (pyenv's bash shim): the python3 beside it on PATH is the same selection.
            python = RealTool.locate("python3", path: path, cwd: cwd)
        }
        guard let python, let info = PythonLocator.describe(python: python) else {
            var unknown = CaptureTarget.unknown(
                python: python,
                note: "the target interpreter could not be determined; changes were not captured")
            unknown.notes = notes + unknown.notes
            return PipTarget(capture: unknown, pipSiteDir: nil)
        }
        let pipSite = pipPython.flatMap { $0 == python ? info.purelib : PythonLocator.venv(python: $0)?.purelib }
        var prefix = info.prefix
        var isVenv = info.isVenv
        var dirs = Array(Set([info.purelib, info.platlib])).sorted()
        let xy = info.version.map(Version.majorMinor) ?? "3"
        if let target = cmd.last("-t", "--target") ?? env.nonEmpty("PIP_TARGET") {
            prefix = FileSystem.absolute(target, cwd: cwd)
            dirs = [prefix]
            isVenv = false
        } else if let p = cmd.last("--prefix") ?? env.nonEmpty("PIP_PREFIX") {
            prefix = FileSystem.absolute(p, cwd: cwd)
            dirs = ["\(prefix)/lib/python\(xy)/site-packages"]
            isVenv = false
        } else if cmd.has("--user") || cmd.isTruthy(env.nonEmpty("PIP_USER")), let user = info.userSite {
            dirs = [user]
            prefix = FileSystem.dirname(FileSystem.dirname(FileSystem.dirname(user)))
            isVenv = false
        } else if !info.isVenv, let user = info.userSite, cmd.subcommand == "uninstall" || !cmd.has("--root") {
            dirs.append(user)
        }
        if let root = cmd.last("--root") ?? env.nonEmpty("PIP_ROOT") {
            let r = FileSystem.absolute(root, cwd: cwd)
            dirs = dirs.map { r + $0 }
            prefix = r + prefix
        }
        let environment = Environment(
            prefix: prefix, python: python, pythonVersion: info.version,
            platform: PythonLocator.platform, isVenv: isVenv, siteDirs: dirs)
        return PipTarget(
            capture: CaptureTarget(environment: environment, scanDirs: dirs, notes: notes), pipSiteDir: pipSite)
    }

    /// pip's version from its own dist-info (never by running it).
    static func pipVersion(in siteDir: String?) -> String? {
        guard let siteDir else { return nil }
        for name in FileSystem.list(siteDir) where name.hasPrefix("pip-") && name.hasSuffix(".dist-info") {
            return String(name.dropFirst(4).dropLast(10))
        }
        return nil
    }
}
