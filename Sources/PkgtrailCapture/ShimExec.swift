import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `pkgtrail exec TOOL -- ARGS…`: what every shim calls.
///
/// The decision to record is made first and cheaply; a command that changes
/// no environment (or a nested call) replaces this process with the real
/// tool, so it costs one lookup and no database work.
public enum ShimExec {

    /// The names the shims directory links to the binary; called by one of
    /// them, the binary is that shim.
    public static let shimNames = ["pip", "pip3", "uv", "uvx"]

    public static func isShimName(_ name: String) -> Bool { shimNames.contains(name) }

    /// `name` is what the user typed (`pip`, `pip3.11`, `python3`); a shim
    /// or a shell function passes it on unchanged.
    public static func main(tool name: String, arguments: [String]) -> Never {
        PhaseTrace.mark("main")
        let env = ProcessEnvironment.current()
        let cwd = FileSystem.cwd()
        let depth = Int(env.nonEmpty("PKGTRAIL_DEPTH") ?? "0") ?? 0
        if depth >= RealTool.maxDepth {
            Console.error(
                "\(name): circular shim invocation: the \(name) found on PATH leads back into the pkgtrail shims; "
                    + "remove the loop from PATH"
            )
            exit(127)
        }
        guard let real = RealTool.locate(name, path: env.nonEmpty("PATH") ?? "", cwd: cwd) else {
            Console.error("\(name): command not found")
            exit(127)
        }
        let childEnvironment = ["PKGTRAIL_DEPTH": String(depth + 1)]
        let nested = env.nonEmpty("PKGTRAIL_ACTIVE") != nil
        guard !nested, let typed = TypedCommand(name: name, arguments: arguments),
            let kind = RecordedTool(tool: typed.tool, arguments: typed.toolArguments, env: env)
        else {
            let err = ProcessRunner.exec(
                path: real, argv: [name] + arguments,
                environment: ProcessRunner.environment(setting: childEnvironment))
            Console.error("\(name): cannot run \(real): \(String(cString: strerror(err)))")
            exit(err == ENOENT ? 127 : 126)
        }
        PhaseTrace.mark("decided")
        let launch = Launch(name: name, real: real, arguments: arguments, typed: typed)
        record(kind, launch: launch, env: env, cwd: cwd, childEnvironment: childEnvironment)
    }

    /// What runs: the real program found for the typed name, with the typed
    /// arguments (recorded as typed), and the tool it amounts to.
    struct Launch {
        let name: String
        let real: String
        let arguments: [String]
        let typed: TypedCommand

        var argv: [String] { [name] + arguments }

        /// The uv binary and the environment uv sees. `python -m uv` runs the
        /// uv beside that interpreter and sets `VIRTUAL_ENV` to it when it is
        /// a venv; otherwise uv acts on that interpreter (its parent).
        func uv(env: ProcessEnvironment, cwd: String) -> (binary: String, env: ProcessEnvironment) {
            guard typed.viaInterpreter else { return (real, env) }
            let beside = FileSystem.join(FileSystem.dirname(real), "uv")
            let binary =
                FileSystem.isExecutableFile(beside)
                ? beside : RealTool.locate("uv", path: env.nonEmpty("PATH") ?? "", cwd: cwd) ?? beside
            if env.nonEmpty("VIRTUAL_ENV") != nil { return (binary, env) }
            if let venv = PythonLocator.venv(python: real) { return (binary, env.setting("VIRTUAL_ENV", venv.prefix)) }
            return (binary, env.setting("UV_PYTHON", real))
        }
    }

    static func record(
        _ kind: RecordedTool, launch: Launch, env: ProcessEnvironment,
        cwd: String, childEnvironment: [String: String]
    ) -> Never {
        let (exit, outcome, log) = runAndPersist(
            kind, launch: launch, env: env, cwd: cwd,
            childEnvironment: childEnvironment)
        var status = exit.status
        let strict = env.nonEmpty("PKGTRAIL_STRICT") == "1"
        switch outcome {
        case .logged:
            BackgroundPush.afterCommit(env: env, databasePath: env.databasePath)
        case .spooled(let path, let reason):
            Console.warning(
                "could not write the log (\(reason)); the event is kept in \(path) and will be added by the next "
                    + "pkgtrail call"
            )
            if strict && status == 0 { status = strictFailureStatus }
        case .lost(let reason):
            Console.warning("the install was not recorded: \(reason)")
            if strict && status == 0 { status = strictFailureStatus }
        }
        if let sig = exit.signal, status == exit.status { ProcessRunner.reraise(sig) }
        PhaseTrace.mark("exit")
        // The closed log stays referenced until the process exits: its
        // deinit only unregisters notification observers, and the first
        // touch of NotificationCenter on Linux starts a thread (~0.3 ms).
        // `_exit`: everything is written with write(2) and the log is
        // closed, so the C++ and Foundation teardown that `exit` runs has
        // nothing to do for us but takes ~0.3 ms.
        withExtendedLifetime(log) { () -> Never in Glibc._exit(status) }
    }

    /// Runs and records; returns only after the log is closed (its WAL
    /// checkpointed into the file, so the file alone holds every event).
    private static func runAndPersist(
        _ kind: RecordedTool, launch: Launch, env: ProcessEnvironment, cwd: String,
        childEnvironment: [String: String]
    )
        -> (ProcessRunner.Exit, EventSink.Outcome, Result<TrailStore, Error>)
    {
        let sink = EventSink(env: env)
        let (tool, real) = (launch.name, launch.real)
        var recorder = Recorder(
            realTool: real, argv: launch.argv, env: env, cwd: cwd,
            childEnvironment: childEnvironment, sink: sink)
        do { recorder.policy = try PolicyFiles.load(env: env) } catch {
            // A policy that cannot be read protects nothing: the command is not run.
            Console.error("\(tool) was not run: \(error)")
            Glibc.exit(2)
        }
        PhaseTrace.mark("policy-read")
        func uv(_ cmd: UvCommand) -> UvInvocation {
            let (binary, uvEnv) = launch.uv(env: env, cwd: cwd)
            return UvInvocation(cmd: cmd, env: uvEnv, cwd: cwd, realUV: binary)
        }
        let adapter: ToolAdapter
        switch kind {
        case .pip:
            adapter = PipAdapter(
                arguments: launch.typed.toolArguments,
                launcher: launch.typed.viaInterpreter ? .interpreter(real) : .script(real), env: env, cwd: cwd)
        case .uvPip(let cmd): adapter = UvAdapter(uv(cmd))
        case .uvProject(let cmd, let root): adapter = UvEnvironmentAdapter(uv(cmd), kind: .project(root: root))
        case .uvVenv(let cmd): adapter = UvEnvironmentAdapter(uv(cmd), kind: .venv)
        case .uvTool(let cmd): adapter = UvEnvironmentAdapter(uv(cmd), kind: .tool)
        case .uvx(let cmd): adapter = UvxAdapter(uv(cmd))
        }
        PhaseTrace.mark("target")
        // Held until the event is persisted (see EnvironmentLock).
        let lock = EnvironmentLock.acquire(prefix: adapter.target.environment.prefix)
        defer { lock?.release() }
        PhaseTrace.mark("locked")
        let result: Recorder.Result
        do {
            result = try recorder.run(adapter)
        } catch let e as SystemError {
            Console.error("\(tool): cannot run \(real): \(e)")
            Glibc.exit(e.code == ENOENT ? 127 : 126)
        } catch {
            Console.error("\(tool): \(error)")
            Glibc.exit(126)
        }
        PhaseTrace.mark("event")
        let outcome = sink.persist(result.events, opened: result.log)
        PhaseTrace.mark("appended")
        if case .success(let store) = result.log { try? store.close() }
        PhaseTrace.mark("closed")
        return (result.exit, outcome, result.log)
    }

    /// Which recorder a command needs; nil for commands that change no environment.
    enum RecordedTool {
        case pip
        case uvPip(UvCommand)
        case uvProject(UvCommand, root: String)
        case uvVenv(UvCommand)
        case uvTool(UvCommand)
        case uvx(UvCommand)

        init?(tool: TypedCommand.Tool, arguments: [String], env: ProcessEnvironment) {
            switch tool {
            case .pip:
                guard PipCommand(arguments: arguments).changesEnvironment(env: env) else { return nil }
                self = .pip
            case .uv:
                let cmd = UvCommand(arguments: arguments)
                if cmd.changesEnvironment {
                    self = .uvPip(cmd)
                } else if cmd.syncsProject, let root = UvEnvironmentAdapter.projectRoot(cmd, cwd: FileSystem.cwd()) {
                    self = .uvProject(cmd, root: root)
                } else if cmd.createsEnvironment {
                    self = .uvVenv(cmd)
                } else if cmd.changesTool {
                    self = .uvTool(cmd)
                } else if cmd.subcommands == ["tool", "run"], let run = UvCommand(uvxArguments: cmd) {
                    self = .uvx(run)
                } else {
                    return nil
                }
            case .uvx:
                guard let cmd = UvCommand(uvxArguments: UvCommand(arguments: arguments, uvx: true)) else { return nil }
                self = .uvx(cmd)
            }
        }
    }

    /// PKGTRAIL_STRICT=1 turns a recording failure into this exit status (EX_SOFTWARE).
    public static let strictFailureStatus: Int32 = 70
}
