/// Whether what a user types here goes through pkgtrail: the rule behind
/// `pkgtrail doctor`. The shell's own view (which names are functions or
/// aliases) comes from the `pkgtrail` function that `pkgtrail init` defines,
/// since no child process can see its parent shell's functions; PATH is
/// looked up as the shell would.
public enum Coverage {
    /// What the calling shell said of each name (`type -t`, `whence -w`).
    public struct ShellView: Equatable, Sendable {
        public var shell: String
        /// name -> `pkgtrail-function`, `function`, `alias`, `builtin`, `file`, `none`…
        public var kinds: [String: String]

        /// The lines `__pkgtrail_view` prints: `shell NAME`, then `NAME KIND`.
        public init?(text: String) {
            var shell: String?
            var kinds: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard words.count == 2 else { continue }
                if words[0] == "shell" { shell = words[1] } else { kinds[words[0]] = words[1] }
            }
            guard let shell else { return nil }
            self.shell = shell
            self.kinds = kinds
        }
    }

    public enum Status: String, Sendable {
        /// Runs through pkgtrail.
        case recorded
        /// Runs without pkgtrail: a gap.
        case bypasses
        /// Not installed here: nothing to record.
        case absent
    }

    public struct Row: Equatable, Sendable {
        /// As typed: `pip`, `python3 -m pip`.
        public var command: String
        public var status: Status
        /// `shell function`, `shim`, `alias`, `PATH`…
        public var via: String?
        /// The program that runs in the end.
        public var runs: String?
        /// Why it bypasses, and what to do.
        public var reason: String?
    }

    /// Looks a name up on PATH: the first match, shims skipped or not.
    public typealias Lookup = (_ name: String, _ skippingShims: Bool) -> String?

    /// The names checked: what people type, plus every `pip3.N`/`python3.N`
    /// the shell has a function for or PATH holds now.
    public static func names(view: ShellView?, pathVersions: [String]) -> [String] {
        var versions = Set(pathVersions)
        for name in (view?.kinds.keys).map(Array.init) ?? [] {
            if let v = TypedCommand.minorVersion(name) { versions.insert(v) }
        }
        let sorted = TypedCommand.sortedMinors(versions)
        return ["pip", "pip3"] + sorted.map { "pip" + $0 } + ["uv", "uvx", "python", "python3"]
            + sorted.map { "python" + $0 }
    }

    public static func check(
        names: [String], view: ShellView?, isShim: (String) -> Bool = RealTool.isShim,
        lookup: Lookup
    ) -> [Row] {
        names.map { row(for: $0, view: view, isShim: isShim, lookup: lookup) }
    }

    static func row(for name: String, view: ShellView?, isShim: (String) -> Bool, lookup: Lookup) -> Row {
        let interpreter = TypedCommand.isInterpreter(name)
        let typed = interpreter ? "\(name) -m pip" : name
        let real = lookup(name, true)
        switch view?.kinds[name] {
        case "pkgtrail-function":
            guard let real else {
                return Row(command: typed, status: .absent, via: "shell function", runs: nil, reason: nil)
            }
            return Row(command: typed, status: .recorded, via: "shell function", runs: real, reason: nil)
        case "alias":
            return Row(
                command: typed, status: .bypasses, via: "alias", runs: nil,
                reason: "an alias named \(name) comes before pkgtrail's function: remove it (unalias \(name))")
        case "function":
            return Row(
                command: typed, status: .bypasses, via: "function", runs: nil,
                reason:
                    "a function named \(name) that is not pkgtrail's: remove it, or define it after the pkgtrail line")
        case "builtin", "keyword", "reserved":
            return Row(
                command: typed, status: .bypasses, via: view?.kinds[name], runs: nil,
                reason: "the shell has a \(view?.kinds[name] ?? "") named \(name)")
        default:
            break
        }
        guard let first = lookup(name, false) else {
            return Row(command: typed, status: .absent, via: nil, runs: nil, reason: nil)
        }
        let functions =
            view == nil
            ? "this shell has no pkgtrail functions: add the `pkgtrail init` line to its startup file and open a new "
                + "shell"
            : "\(name) is new since this shell loaded pkgtrail's functions: open a new shell"
        if interpreter {
            return Row(
                command: typed, status: .bypasses, via: "PATH", runs: first,
                reason: "`\(typed)` runs \(first) directly (no shim can catch it): \(functions)")
        }
        if isShim(first) {
            if let real { return Row(command: typed, status: .recorded, via: "shim", runs: real, reason: nil) }
            return Row(command: typed, status: .absent, via: "shim", runs: nil, reason: nil)
        }
        return Row(
            command: typed, status: .bypasses, via: "PATH", runs: first,
            reason: "\(first) comes before the pkgtrail shims on PATH (an activated venv, pyenv, conda): \(functions)")
    }
}
