import ArgumentParser
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Record every change to a watched environment within seconds, whatever made it.",
        discussion: """
            Watches the site directories of every environment the log knows on this host (and of venvs \
            found below each --discover root) with inotify. When something changes there outside pkgtrail \
            (an IDE's pip, sudo pip, poetry, a .pth written by hand), it waits for the writer to settle, \
            then records a drift event whose window runs from its previous look to now. Every \
            environment is looked at when it starts, so what happened while no watcher ran is recorded \
            then. SIGHUP re-reads the environments; SIGTERM or Ctrl-C stops it. One watcher per log.
            """)

    @OptionGroup var location: LogLocation
    @Option(
        help: ArgumentHelp(
            "Also watch for venvs and conda-style prefixes (pyvenv.cfg, lib/python3.N/site-packages) created "
                + "below this directory; repeatable."))
    var discover: [String] = []
    @Option(help: "How many levels below a --discover root are looked at.")
    var depth = 4
    @Option(help: "Seconds without further change before an environment is looked at.")
    var settle = 1.0
    @Flag(help: "Exit 0 at once if a watcher already runs for this log (for cron and @reboot).")
    var ifNotRunning = false
    @Flag(help: "Print a systemd user unit that runs this watcher, and exit.")
    var printSystemdUnit = false
    @Flag(help: "Print what happens as JSON lines.")
    var json = false

    func validate() throws {
        guard depth >= 0, depth <= 32 else { throw ValidationError("--depth \(depth): use 0 to 32") }
        guard settle >= 0.05, settle <= 60 else { throw ValidationError("--settle \(settle): use 0.05 to 60 seconds") }
    }

    func run() throws {
        let access = LogAccess(location)
        let cwd = FileSystem.cwd()
        let roots = discover.map { FileSystem.absolute($0, cwd: cwd) }
        for root in roots where FileSystem.stat(root)?.isDirectory != true {
            throw fail("--discover \(Terminal.safe(root)): no such directory")
        }
        if printSystemdUnit {
            emit(Self.systemdUnit(binary: InitCommand.binaryPath(env: access.env), arguments: unitArguments(roots)))
            return
        }
        let status = WatcherStatus(databasePath: access.databasePath, stateDirectory: access.env.stateDirectory)
        let claimed: Int32?
        do { claimed = try status.claim() } catch { throw fail("\(error)") }
        guard claimed != nil else {
            if ifNotRunning { return }
            let pid = status.running()?.pid.map { " (pid \($0))" } ?? ""
            throw fail(
                "a watcher already runs for \(access.databasePath)\(pid); stop it first, or use --if-not-running")
        }
        let options = Watcher.Options(discover: roots, depth: depth, settle: settle, patience: max(3, settle * 3))
        StandardOutput.writeEachLine()  // journald and `tail -f` see each event as it is recorded
        let asJSON = json
        let report: (Watcher.Report) -> Void = { r in
            if asJSON { WatchCommand.printJSON(r) } else { WatchCommand.printText(r) }
        }
        do {
            let watcher = try Watcher(
                options: options, sink: access.sink, env: access.env, status: status, report: report)
            try watcher.run()
        } catch {
            throw fail("watch: \(error)")
        }
    }

    /// The options that change what the unit's watcher does.
    private func unitArguments(_ roots: [String]) -> [String] {
        var args = ["watch"]
        if let db = location.db { args += ["--db", FileSystem.absolute(db, cwd: FileSystem.cwd())] }
        for root in roots { args += ["--discover", root] }
        if depth != 4 { args += ["--depth", String(depth)] }
        if settle != 1 { args += ["--settle", String(settle)] }
        return args
    }

    static func systemdUnit(binary: String, arguments: [String]) -> String {
        let line = SystemdUnit.commandLine([binary] + arguments)
        return """
            # pkgtrail watch as a systemd user service. Install it with:
            #   pkgtrail watch --print-systemd-unit > ~/.config/systemd/user/pkgtrail-watch.service
            #   systemctl --user daemon-reload && systemctl --user enable --now pkgtrail-watch
            # (and `loginctl enable-linger $USER` to keep it running while you are logged out).
            [Unit]
            Description=pkgtrail watch: record every change to watched Python environments

            [Service]
            ExecStart=\(line)
            ExecReload=/bin/kill -HUP $MAINPID
            Restart=on-failure
            RestartSec=5

            [Install]
            WantedBy=default.target
            """
    }

    static func printText(_ report: Watcher.Report) {
        switch report {
        case .started(let environments, let directories):
            emit(
                "watching \(environments) environment\(environments == 1 ? "" : "s")"
                    + (directories > 0 ? " and \(directories) directories for new venvs" : "")
                    + "; SIGHUP re-reads the log's environments, SIGTERM or Ctrl-C stops")
        case .environmentAdded(let prefix, let how):
            emit(Terminal.safe("watching \(prefix) (\(how == "--discover" ? "found below a --discover root" : how))"))
        case .recorded(let event, let outcome):
            let what = (event.changes.map(EventText.change) + event.startupHooks.map { "\($0.status) \($0.path)" })
                .joined(separator: ", ")
            switch outcome {
            case .logged(let stored):
                let seq = stored.first.map { "seq \($0.event.seq)" } ?? "logged"
                emit(Terminal.safe("\(seq): drift in \(event.environment.prefix): \(what)"))
            case .spooled(let path, let reason):
                emit(Terminal.safe("spooled to \(path) (\(reason)): drift in \(event.environment.prefix): \(what)"))
            case .lost(let reason):
                Console.error(Terminal.safe("LOST drift in \(event.environment.prefix) (\(reason)): \(what)"))
            }
        case .problem(let text):
            Console.warning(Terminal.safe(text))
        case .stopping(let signal):
            emit("stopping (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))")
        }
    }

    static func printJSON(_ report: Watcher.Report) {
        var o: [String: JSONValue]
        switch report {
        case .started(let environments, let directories):
            o = [
                "report": .string("started"), "environments": .int(Int64(environments)),
                "directories": .int(Int64(directories))
            ]
        case .environmentAdded(let prefix, let how):
            o = ["report": .string("environment"), "prefix": .string(prefix), "by": .string(how)]
        case .recorded(let event, let outcome):
            o = [
                "report": .string("recorded"), "prefix": .string(event.environment.prefix),
                "event_id": .string(event.id), "changes": .int(Int64(event.changes.count + event.startupHooks.count))
            ]
            switch outcome {
            case .logged(let stored):
                o["outcome"] = .string("logged")
                o["seq"] = .optional(stored.first?.event.seq)
            case .spooled(let path, let reason):
                o["outcome"] = .string("spooled")
                o["spool"] = .string(path)
                o["reason"] = .string(reason)
            case .lost(let reason):
                o["outcome"] = .string("lost")
                o["reason"] = .string(reason)
            }
        case .problem(let text):
            o = ["report": .string("problem"), "message": .string(text)]
        case .stopping(let signal):
            o = ["report": .string("stopping"), "signal": .int(Int64(signal))]
        }
        if let bytes = try? CanonicalJSON.encode(.object(JSONObject(o))) { emitJSON(bytes) }
    }
}
