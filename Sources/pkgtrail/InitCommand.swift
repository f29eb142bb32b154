import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailQueryCommands
import PkgtrailSystem

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Print the shell lines that record pip, uv and `python -m pip` in this shell and its scripts.",
        discussion: """
            Add to ~/.bashrc:  eval "$(~/.local/bin/pkgtrail init bash)"   (zsh: ~/.zshrc, `init zsh`; \
            fish: ~/.config/fish/config.fish, `~/.local/bin/pkgtrail init fish | source`). \
            In CI, `pkgtrail init --ci github` (a step of its own) or `eval "$(pkgtrail init --ci gitlab)"` \
            (or `generic`) sets up every later step or line.
            """)

    @Argument(help: "bash, zsh or fish (sh: the PATH line only).")
    var shell: String = "bash"

    @Option(help: "Set up a CI job instead: github, gitlab or generic.")
    var ci: String?

    func run() throws {
        let env = ProcessEnvironment.current()
        let binary = Self.binaryPath(env: env)
        let hooks = ShellHooks(
            binary: binary, shims: Self.shimsDirectory(binary: binary),
            minorVersions: ShellHooks.minorVersions(in: Self.interpreterDirectories(env: env)))
        if let ci {
            try setUpCI(ci, hooks: hooks, env: env)
            return
        }
        if shell == "sh" {
            emit(hooks.pathLine, terminator: "")
            return
        }
        guard let kind = ShellHooks.Shell(rawValue: shell) else {
            throw ValidationError("unknown shell \(shell): use bash, zsh or fish")
        }
        // bash exports its functions to child bash; zsh and fish cannot, so
        // their bash scripts read the same functions through BASH_ENV.
        let bashEnv = kind == .bash ? nil : Self.writeBashEnvFile(hooks, env: env)
        emit(hooks.script(kind, bashEnvFile: bashEnv), terminator: "")
        let prefix = FileSystem.dirname(FileSystem.dirname(FileSystem.dirname(hooks.shims)))
        emit(CompletionFiles.line(kind, prefix: prefix), terminator: "")
    }

    private func setUpCI(_ provider: String, hooks: ShellHooks, env: ProcessEnvironment) throws {
        guard ["github", "gitlab", "generic"].contains(provider) else {
            throw ValidationError("unknown CI \(provider): use github, gitlab or generic")
        }
        guard let file = Self.writeBashEnvFile(hooks, env: env) else {
            throw fail(
                "cannot write \(Self.bashEnvPath(env: env)): make \(env.stateDirectory) writable (or set "
                    + "XDG_STATE_HOME)"
            )
        }
        if provider == "github" {
            // Every step is a new non-interactive bash (or another shell):
            // the PATH entry reaches all of them, BASH_ENV the bash ones.
            guard let pathFile = env.nonEmpty("GITHUB_PATH"), let envFile = env.nonEmpty("GITHUB_ENV") else {
                throw fail(
                    "GITHUB_PATH and GITHUB_ENV are not set: run `pkgtrail init --ci github` as a step of a GitHub "
                        + "Actions job"
                )
            }
            try Self.append(hooks.shims + "\n", to: pathFile)
            try Self.append("BASH_ENV=\(file)\n", to: envFile)
            emit("pkgtrail: later steps of this job are recorded (shims \(hooks.shims) on PATH; BASH_ENV=\(file))")
            return
        }
        emit(hooks.pathLine, terminator: "")
        emit("export BASH_ENV=\(ShellHooks.quote(file))")
        emit("if [ -n \"${BASH_VERSION-}\" ]; then . \(ShellHooks.quote(file)); fi")
    }

    static func bashEnvPath(env: ProcessEnvironment) -> String { env.stateDirectory + "/init.bash" }

    /// Rewritten only when its text changes (every new shell runs init).
    static func writeBashEnvFile(_ hooks: ShellHooks, env: ProcessEnvironment) -> String? {
        let path = bashEnvPath(env: env)
        let text = Array(hooks.bashEnvFile.utf8)
        if FileSystem.read(path) == text { return path }
        FileSystem.makeDirectories(env.stateDirectory)
        return FileSystem.writeAtomically(path, text) ? path : nil
    }

    static func append(_ line: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw fail("cannot write \(path)") }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
        } catch { throw fail("cannot write \(path): \(error)") }
    }

    /// The binary as it was called (`~/.local/bin/pkgtrail`), not where a
    /// symlink leads: the functions keep working across an upgrade.
    static func binaryPath(env: ProcessEnvironment) -> String {
        let argv0 = CommandLine.arguments[0]
        if argv0.contains("/") { return FileSystem.absolute(argv0, cwd: FileSystem.cwd()) }
        return RealTool.locate(argv0, path: env.nonEmpty("PATH") ?? "", cwd: FileSystem.cwd())
            ?? FileSystem.selfExecutable()
    }

    /// Installed layout: PREFIX/bin/pkgtrail and PREFIX/share/pkgtrail/shims,
    /// beside the binary as called, else beside the file it links to.
    static func shimsDirectory(binary: String) -> String {
        let candidates = [binary, FileSystem.selfExecutable()].map {
            FileSystem.dirname(FileSystem.dirname($0)) + "/share/pkgtrail/shims"
        }
        return candidates.first(where: FileSystem.exists) ?? candidates[1]
    }

    /// Where `python3.N` and `pip3.N` may live: PATH now, and the directories
    /// pyenv and uv add to PATH, since their lines may come after ours.
    static func interpreterDirectories(env: ProcessEnvironment) -> [String] {
        (env.nonEmpty("PATH") ?? "").split(separator: ":").map(String.init)
            + [env.home + "/.pyenv/shims", env.home + "/.local/bin"]
    }
}
