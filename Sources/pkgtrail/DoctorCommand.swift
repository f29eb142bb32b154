import ArgumentParser
import Foundation
import PkgtrailCapture
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailQueryCommands
import PkgtrailStore
import PkgtrailSystem

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Say whether pip, uv and `python -m pip` typed here are recorded, and whether the log can take them.",
        discussion: """
            Run it as `pkgtrail doctor` in the shell you use: the function that `pkgtrail init` defines passes \
            the shell's own view of its functions and aliases. Exit 0 covered, 1 a gap found, 2 could not check.
            """)

    @OptionGroup var location: LogLocation
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let env = ProcessEnvironment.current()
        let cwd = FileSystem.cwd()
        guard let path = env.nonEmpty("PATH") else { throw fail("PATH is empty: nothing to check") }
        let view = env.nonEmpty("PKGTRAIL_SHELL_VIEW").flatMap(Coverage.ShellView.init(text:))
        let names = Coverage.names(
            view: view, pathVersions: ShellHooks.minorVersions(in: path.split(separator: ":").map(String.init)))
        let rows = Coverage.check(names: names, view: view) { name, skipping in
            RealTool.first(name, path: path, cwd: cwd, skippingShims: skipping)
        }
        let databasePath = location.db ?? env.databasePath
        let log = LogHealth.inspect(databasePath: databasePath, stateDirectory: env.stateDirectory)
        let keys = KeyFiles(env: env)
        let checkpoint = CheckpointMemory(stateDirectory: env.stateDirectory).newest()
        let shims = path.split(separator: ":", omittingEmptySubsequences: false).enumerated().first { _, dir in
            RealTool.isShim(FileSystem.join(String(dir), "pip"))
        }
        let watcher = WatcherStatus(databasePath: databasePath, stateDirectory: env.stateDirectory).running()
        let central = Result { try CentralConfig.load(env) }
        let lastPush = BackgroundPush(databasePath: databasePath, stateDirectory: env.stateDirectory).lastOutcome
        let covered = rows.allSatisfy { $0.status != .bypasses } && log.healthy
        if json {
            let out: [String: JSONValue] = [
                "covered": .bool(covered), "shell": view.map { .string($0.shell) } ?? .null,
                "commands": .array(
                    rows.map { r in
                        .object([
                            "command": .string(r.command), "status": .string(r.status.rawValue),
                            "via": .optional(r.via),
                            "runs": .optional(r.runs), "reason": .optional(r.reason)
                        ])
                    }),
                "shims_on_path": shims.map { .string(String($0.element)) } ?? .null,
                "log": .object([
                    "path": .string(log.path), "exists": .bool(log.exists), "writable": .bool(log.writable),
                    "events": .optional(log.events), "head": .optional(log.head), "problem": .optional(log.problem),
                    "spooled": .int(Int64(log.spooled))
                ]),
                "key": .object(["path": .string(keys.privatePath), "exists": .bool(FileSystem.exists(keys.privatePath))]
                ),
                "newest_checkpoint": checkpoint.map { cp in
                    .object([
                        "size": .int(cp.checkpoint.size), "made": .string(cp.made), "age": .string(cp.age),
                        "origin": .string(cp.checkpoint.origin)
                    ])
                } ?? .null,
                "watch": .object([
                    "running": .bool(watcher != nil), "pid": .optional(watcher?.pid),
                    "environments": .strings(watcher?.environments ?? []), "discover": .strings(watcher?.discover ?? [])
                ]),
                "central": .object([
                    "url": .optional(try? central.get().url), "push": .optional(try? central.get().push.rawValue),
                    "problem": .optional(Self.problem(central)), "last_background_push": .optional(lastPush)
                ])
            ]
            emitJSON(try CanonicalJSON.encode(.object(JSONObject(out))))
        } else {
            let width = (rows.map(\.command.count).max() ?? 0) + 2
            for r in rows { emit(Terminal.safe(Self.line(r, width: width))) }
            emit(Terminal.safe(Self.logLine(log)))
            var key =
                FileSystem.exists(keys.privatePath)
                ? "key: \(keys.privatePath)" : "key: none (`pkgtrail key init` makes one to sign checkpoints)"
            if let cp = checkpoint {
                let since = log.events.map { ", \($0 - cp.checkpoint.size) events since" } ?? ""
                key += "; newest checkpoint: \(cp.checkpoint.size) events, made \(cp.made) (\(cp.age) ago)\(since)"
            } else {
                key += "; no checkpoint made here yet (`pkgtrail checkpoint`)"
            }
            emit(Terminal.safe(key))
            emit(Terminal.safe(Self.watchLine(watcher)))
            emit(Terminal.safe(Self.pushLine(central, last: lastPush)))
            emit(Terminal.safe(Self.shellLine(view)))
            emit(
                Terminal.safe(
                    shims.map {
                        "PATH: the shims (\($0.element)) are entry \($0.offset + 1) of PATH, for scripts, cron and make"
                    }
                        ?? "PATH: the pkgtrail shims are not on PATH: scripts, cron and make that run pip or uv are "
                        + "not recorded"
                ))
            emit(
                covered
                    ? "covered: pip, uv and python -m pip typed here are recorded"
                    : "NOT COVERED: fix the lines above marked BYPASSES (or the log)")
        }
        if !covered { throw ExitCode(ExitStatus.verdict) }
    }

    static func line(_ r: Coverage.Row, width: Int) -> String {
        let head = r.command.rightPad(width)
        switch r.status {
        case .recorded: return "\(head)recorded   \(r.via ?? "") -> \(r.runs ?? "")"
        case .absent: return "\(head)not installed"
        case .bypasses: return "\(head)BYPASSES   \(r.reason ?? "")"
        }
    }

    static func logLine(_ log: LogHealth) -> String {
        var s = "log: \(log.path)"
        if let problem = log.problem {
            s += ": CANNOT BE READ (\(problem))"
        } else if let events = log.events {
            s += " (\(events) events, head \(log.head.map { String($0.prefix(16)) + "…" } ?? "none"))"
        } else {
            s += " (not created yet: the first recorded command creates it)"
        }
        s +=
            log.writable
            ? "; writable" : "; NOT WRITABLE: recorded commands will wait in the spool (check its permissions)"
        s +=
            log.spooled == 0
            ? "; nothing waiting in the spool"
            : "; \(log.spooled) events waiting in \(log.spoolPaths.joined(separator: ", ")) (the next pkgtrail call "
                + "appends them)"
        return s
    }

    static func problem(_ r: Result<CentralConfig, Error>) -> String? {
        if case .failure(let e) = r { return "\(e)" }
        return nil
    }

    static func pushLine(_ loaded: Result<CentralConfig, Error>, last: String?) -> String {
        let config: CentralConfig
        do { config = try loaded.get() } catch { return "push: \(error)" }
        guard let url = config.url else {
            return "push: no central store configured (`url = …` in \(config.path), or PKGTRAIL_CENTRAL)"
        }
        let when =
            config.push == .afterInstall
            ? "after each recorded install" : "by `pkgtrail push` (cron or systemd: --print-systemd-unit)"
        return "push: to \(url), \(when)" + (last.map { "; last background push \($0)" } ?? "")
    }

    static func watchLine(_ w: WatcherStatus.Running?) -> String {
        guard let w else {
            return "watch: no watcher runs (`pkgtrail watch` records changes made outside the shell within seconds)"
        }
        let n = w.environments.count
        return "watch: running\(w.pid.map { " (pid \($0))" } ?? ""), watching \(n) environment\(n == 1 ? "" : "s")"
            + (w.discover.isEmpty ? "" : " and new venvs below \(w.discover.joined(separator: ", "))")
    }

    static func shellLine(_ view: Coverage.ShellView?) -> String {
        guard let view else {
            return
                "shell: pkgtrail's functions are not loaded here (add `eval \"$(pkgtrail init bash)\"` to ~/.bashrc, "
                + "or zsh/fish alike)"
        }
        let scripts =
            view.shell == "bash"
            ? "exported to the bash scripts started here" : "bash scripts started here read them through BASH_ENV"
        return "shell: \(view.shell), pkgtrail's functions loaded (\(scripts))"
    }
}
