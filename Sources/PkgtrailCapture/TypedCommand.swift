/// A command as the user typed it, read as the tool that will run: `pip3.11
/// install x` is pip; `python3 -m pip install x` is pip run by that
/// interpreter (so it installs into the interpreter's environment); `python
/// -m uv pip install x` is uv. Anything else an interpreter is asked to do
/// is not a tool call.
public struct TypedCommand: Equatable, Sendable {
    public enum Tool: String, Sendable { case pip, uv, uvx }

    public var tool: Tool
    /// The arguments as the tool reads them (after `-m pip` for an interpreter).
    public var toolArguments: [String]
    /// True when an interpreter runs the tool as a module.
    public var viaInterpreter: Bool

    public init?(name: String, arguments: [String]) {
        if let tool = Self.tool(named: name) {
            self.init(tool: tool, toolArguments: arguments, viaInterpreter: false)
        } else if Self.isInterpreter(name), let (module, rest) = Self.module(arguments),
            let tool = Self.moduleTool[module]
        {
            self.init(tool: tool, toolArguments: rest, viaInterpreter: true)
        } else {
            return nil
        }
    }

    init(tool: Tool, toolArguments: [String], viaInterpreter: Bool) {
        self.tool = tool
        self.toolArguments = toolArguments
        self.viaInterpreter = viaInterpreter
    }

    /// `pip`, `pip3`, `pip3.N`, `uv`, `uvx`.
    static func tool(named name: String) -> Tool? {
        switch name {
        case "pip", "pip3": return .pip
        case "uv": return .uv
        case "uvx": return .uvx
        default: return name.hasPrefix("pip") && minorVersion(name) != nil ? .pip : nil
        }
    }

    /// `python`, `python3`, `python3.N`.
    public static func isInterpreter(_ name: String) -> Bool {
        name == "python" || name == "python3" || (name.hasPrefix("python") && minorVersion(name) != nil)
    }

    static let moduleTool: [String: Tool] = ["pip": .pip, "pip3": .pip, "uv": .uv]

    /// Words without which a command line of that tool cannot change an
    /// environment (pip and uv spell subcommands out; neither takes
    /// abbreviations). The shell functions hand a line to the recorder only
    /// when one of them is among its arguments, so `pip --version` or
    /// `uv pip list` start no process of pkgtrail's; the recorder then
    /// decides exactly (`RecordedTool`). Empty: every call is handed over
    /// (every uvx run executes code from an environment).
    public static func recordingWords(_ tool: Tool) -> [String] {
        switch tool {
        case .pip: return ["install", "uninstall"]
        case .uv: return ["install", "uninstall", "sync", "add", "remove", "run", "venv", "upgrade"]
        case .uvx: return []
        }
    }

    /// `-m MODULE ARGS…` or `-mMODULE ARGS…` as the first argument, the only
    /// form routed here (the shell functions route nothing else).
    static func module(_ arguments: [String]) -> (String, [String])? {
        guard let first = arguments.first else { return nil }
        if first == "-m", arguments.count >= 2 { return (arguments[1], Array(arguments.dropFirst(2))) }
        if first.hasPrefix("-m"), first.count > 2 { return (String(first.dropFirst(2)), Array(arguments.dropFirst())) }
        return nil
    }

    /// `3.9` before `3.10`.
    public static func sortedMinors<S: Sequence>(_ minors: S) -> [String] where S.Element == String {
        minors.sorted { Int($0.dropFirst(2)) ?? 0 < Int($1.dropFirst(2)) ?? 0 }
    }

    /// `3.11` for `pip3.11` or `python3.11`; nil for any other name.
    public static func minorVersion(_ name: String) -> String? {
        for stem in ["pip3.", "python3."] where name.hasPrefix(stem) {
            let minor = name.dropFirst(stem.count)
            if !minor.isEmpty, minor.count <= 3, minor.allSatisfy({ ("0"..."9").contains($0) }) { return "3." + minor }
        }
        return nil
    }
}
