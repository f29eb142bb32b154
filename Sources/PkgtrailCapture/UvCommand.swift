/// A uv command line, read as uv's parser reads it: global options anywhere,
/// `--opt=value` and `--opt value`, subcommands as the leading positionals
/// (`uv pip install …`).
public struct UvCommand: Sendable {
    public var subcommands: [String] = []
    public var options: [(name: String, value: String?)] = []
    public var positionals: [String] = []
    /// For `uvx` / `uv tool run`: the package whose command runs.
    public var runPackage: String?

    /// Options that take a value (uv 0.13), long and short.
    static let valued: Set<String> = [
        "--cache-dir", "--directory", "--project", "--config-file", "--python", "-p", "--color", "--python-preference",
        "--index-url", "-i", "--default-index", "--extra-index-url", "--index", "--find-links", "-f",
        "--index-strategy", "--keyring-provider", "--resolution", "--prerelease", "--exclude-newer",
        "--requirement", "-r", "--constraint", "-c", "--override", "--build-constraint", "-b", "--editable", "-e",
        "--target", "--prefix", "--python-version", "--python-platform", "--extra", "--group", "--reinstall-package",
        "--upgrade-package", "-P", "--no-binary-package", "--no-build-package", "--link-mode", "--config-setting", "-C",
        "--allow-insecure-host", "--torch-backend", "--refresh-package", "--no-build-isolation-package",
        "--with", "--with-requirements", "--with-editable", "--optional", "--package", "--env-file", "--script",
        "--bounds", "--marker", "-m", "--tag", "--branch", "--rev", "--from", "--seed-version", "--prompt",
        "--relocatable-python", "--exclude-newer-package"
    ]
    /// How many leading positionals name the command (`uv pip install` = 2).
    static let commandDepth: [String: Int] = ["pip": 2, "tool": 2]

    /// `uvx`: `arguments` as given to uvx, whose first positional is the command.
    public init(arguments: [String], uvx: Bool = false) {
        // What follows the command of `uv run`, `uv tool run` and `uvx` is the command's own.
        let tokens = ArgvTokens(arguments, valued: Self.valued) { p in
            uvx ? p.count == 1 : (p.count == 2 && p[0] == "run") || (p.count == 3 && p[0] == "tool" && p[1] == "run")
        }
        options = tokens.options
        // `uv pip install x`: the command is the first one or two positionals.
        let depth = tokens.positionals.first.map { Self.commandDepth[$0] ?? 1 } ?? 0
        subcommands = Array(tokens.positionals.prefix(depth))
        positionals = Array(tokens.positionals.dropFirst(depth))
    }

    /// `uvx [OPTIONS] COMMAND [ARGS]` (= `uv tool run`): what runs, and from
    /// which package (`--from`, else the command, `pkg@version` allowed).
    /// Nil for `--help`/`--version` and a bare `uvx`, which change nothing.
    init?(uvxArguments parsed: UvCommand) {
        let positionals =
            parsed.subcommands == ["tool", "run"] ? parsed.positionals : parsed.subcommands + parsed.positionals
        // Options before the command are uv's; `--help` after it is the command's.
        guard !parsed.has("-h", "--help", "-V", "--version"), let command = positionals.first else { return nil }
        self = parsed
        subcommands = ["tool", "run"]
        self.positionals = positionals
        let from = parsed.last("--from") ?? command
        runPackage = RequirementName.name(String(from.split(separator: "@").first ?? ""))
    }

    public func has(_ names: String...) -> Bool { options.contains { names.contains($0.name) } }
    public func last(_ names: String...) -> String? { options.last { names.contains($0.name) }?.value }

    /// `uv pip install|uninstall|sync` change one environment. Other uv
    /// commands (tool, venv, uvx) pass through unrecorded for now.
    public var changesEnvironment: Bool {
        guard !has("-h", "--help", "-V", "--version", "--dry-run") else { return false }
        return subcommands.count == 2 && subcommands[0] == "pip"
            && ["install", "uninstall", "sync"].contains(subcommands[1])
    }

    /// `uv venv [PATH]` creates (or with --clear replaces) an environment.
    public var createsEnvironment: Bool {
        subcommands.first == "venv" && !has("-h", "--help")
    }

    /// `uv tool install|upgrade|uninstall NAME` change the tool's environment.
    /// (`--all` touches every tool: not recorded, found as drift by `scan`.)
    public var changesTool: Bool {
        guard subcommands.count == 2, subcommands[0] == "tool",
            ["install", "upgrade", "uninstall"].contains(subcommands[1])
        else { return false }
        return !has("-h", "--help", "--all") && !positionals.isEmpty
    }

    /// `uv add`, `uv remove`, `uv sync`, `uv run` sync the project environment,
    /// unless told not to (`--no-sync`; `--frozen` for add/remove, docs/FACTS.md).
    public var syncsProject: Bool {
        guard let first = subcommands.first, ["add", "remove", "sync", "run"].contains(first) else { return false }
        if has("-h", "--help", "--dry-run", "--no-sync") { return false }
        if (first == "add" || first == "remove") && has("--frozen") { return false }
        return true
    }

    var action: String { subcommands.count == 2 ? subcommands[1] : "" }
}
