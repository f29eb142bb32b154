import PkgtrailSystem

/// What a pip command line asks for, read the way pip's option parser reads
/// it: global options anywhere, `--opt=value` and `--opt value`, attached
/// short values (`-rreqs.txt`), the subcommand as the first positional.
public struct PipCommand: Equatable, Sendable {
    public var subcommand: String?
    /// Options as given, last occurrence wins for single-valued ones.
    public var options: [(name: String, value: String?)] = []
    public var positionals: [String] = []

    public static func == (a: PipCommand, b: PipCommand) -> Bool {
        a.subcommand == b.subcommand && a.positionals == b.positionals
            && a.options.map { "\($0.name)=\($0.value ?? "")" } == b.options.map { "\($0.name)=\($0.value ?? "")" }
    }

    /// Options that take a value, long and short spellings (pip 23–26).
    static let valued: Set<String> = [
        "--python", "--log", "--log-file", "--local-log", "--proxy", "--retries", "--timeout", "--exists-action",
        "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
        "--keyring-provider", "--resume-retries",
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--platform",
        "--python-version", "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
        "--install-option", "--global-option", "-C", "--config-settings", "--no-binary", "--only-binary",
        "--progress-bar", "--root-user-action", "--report", "-i", "--index-url", "--extra-index-url",
        "-f", "--find-links", "--group", "-d", "--dest", "-w", "--wheel-dir", "--format", "--path", "--exclude",
        "--uploaded-prior-to", "--build-constraint"
    ]

    public init(arguments: [String]) {
        let tokens = ArgvTokens(arguments, valued: Self.valued)
        options = tokens.options
        subcommand = tokens.positionals.first
        positionals = Array(tokens.positionals.dropFirst())
    }

    public func has(_ names: String...) -> Bool { options.contains { names.contains($0.name) } }

    public func last(_ names: String...) -> String? { options.last { names.contains($0.name) }?.value }

    public func all(_ names: String...) -> [String] { options.filter { names.contains($0.name) }.compactMap(\.value) }

    public var wantsHelpOrVersion: Bool { has("-h", "--help", "-V", "--version") }

    /// install and uninstall change an environment; everything else
    /// (`list`, `show`, `download`, `--dry-run`, `--help`) passes straight through.
    public func changesEnvironment(env: ProcessEnvironment) -> Bool {
        guard !wantsHelpOrVersion else { return false }
        switch subcommand {
        case "install":
            return !(has("--dry-run") || isTruthy(env.nonEmpty("PIP_DRY_RUN")))
        case "uninstall":
            return true
        default:
            return false
        }
    }

    func isTruthy(_ v: String?) -> Bool {
        guard let v = v?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(v)
    }
}
