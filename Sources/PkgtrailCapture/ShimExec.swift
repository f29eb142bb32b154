#if canImport(Glibc)
import Glibc
#endif
import PkgtrailCore

/// `pkgtrail exec TOOL -- ARGS…`: what every shim calls.
///
/// The decision to record is made first and cheaply; a command that changes
/// no environment (or a nested call) replaces this process with the real
/// tool, so it costs one lookup and no database work.
public enum ShimExec {
    public static let recordedTools: Set<String> = ["pip", "pip3"]

    public static func main(tool: String, arguments: [String]) -> Never {
        let env = ProcessEnvironment.current()
        let cwd = FileSystem.cwd()
        let depth = Int(env.nonEmpty("PKGTRAIL_DEPTH") ?? "0") ?? 0
        if depth >= RealTool.maxDepth {
            Console.error("\(tool): circular shim invocation: the \(tool) found on PATH leads back into the pkgtrail shims; remove the loop from PATH")
            exit(127)
        }
        guard let real = RealTool.locate(tool, path: env.nonEmpty("PATH") ?? "", cwd: cwd) else {
            Console.error("\(tool): command not found")
            exit(127)
        }
        let childEnvironment = ["PKGTRAIL_DEPTH": String(depth + 1)]
        let nested = env.nonEmpty("PKGTRAIL_ACTIVE") != nil
        let records = !nested && recordedTools.contains(tool)
            && PipCommand(arguments: arguments).changesEnvironment(env: env)
        guard records else {
            let err = ProcessRunner.exec(path: real, argv: [tool] + arguments,
                                         environment: ProcessRunner.environment(setting: childEnvironment))
            Console.error("\(tool): cannot run \(real): \(String(cString: strerror(err)))")
            exit(err == ENOENT ? 127 : 126)
        }
        record(tool: tool, real: real, arguments: arguments, env: env, cwd: cwd, childEnvironment: childEnvironment)
    }

    static func record(tool: String, real: String, arguments: [String], env: ProcessEnvironment, cwd: String,
                       childEnvironment: [String: String]) -> Never {
        let (exit, outcome) = runAndPersist(tool: tool, real: real, arguments: arguments, env: env, cwd: cwd,
                                            childEnvironment: childEnvironment)
        let strict = env.nonEmpty("PKGTRAIL_STRICT") == "1"
        var status = exit.status
        switch outcome {
        case .logged:
            break
        case .spooled(let path, let reason):
            Console.warning("could not write the log (\(reason)); the event is kept in \(path) and will be added by the next pkgtrail call")
            if strict && status == 0 { status = strictFailureStatus }
        case .lost(let reason):
            Console.warning("the install was not recorded: \(reason)")
            if strict && status == 0 { status = strictFailureStatus }
        }
        if let sig = exit.signal, status == exit.status { ProcessRunner.reraise(sig) }
        Glibc.exit(status)
    }

    /// Runs and records; returns only after the log is closed (its WAL
    /// checkpointed), since the process then exits without running deinits.
    private static func runAndPersist(tool: String, real: String, arguments: [String], env: ProcessEnvironment,
                                      cwd: String, childEnvironment: [String: String]) -> (ProcessRunner.Exit, EventSink.Outcome) {
        let sink = EventSink(env: env)
        let recorder = PipRecorder(tool: tool, realTool: real, arguments: arguments, env: env, cwd: cwd,
                                   childEnvironment: childEnvironment, sink: sink)
        let result: PipRecorder.Result
        do {
            result = try recorder.run()
        } catch let e as ProcessRunner.SpawnError {
            Console.error("\(tool): cannot run \(real): \(e)")
            Glibc.exit(e.errno == ENOENT ? 127 : 126)
        } catch {
            Console.error("\(tool): \(error)")
            Glibc.exit(126)
        }
        return (result.exit, sink.persist(result.events, opened: result.log))
    }

    /// PKGTRAIL_STRICT=1 turns a recording failure into this exit status (EX_SOFTWARE).
    public static let strictFailureStatus: Int32 = 70
}
