import ArgumentParser
import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `--no-pager` for the commands whose answers run long (log, who, show,
/// exposure, state, diff).
public struct PagerOptions: ParsableArguments {
    @Flag(help: "Do not page the output (also PKGTRAIL_PAGER=cat or PAGER=cat).")
    public var noPager = false

    public init() {}

    /// Pages stdout from here on when it is a terminal, as git does.
    public func start() {
        if !noPager { Pager.start() }
    }
}

/// Long output through a pager when stdout is a terminal, as git does:
/// `PKGTRAIL_PAGER`, else `PAGER`, else `less` (with `LESS=FRX` unless set:
/// quit when it fits on one screen, colours kept, the screen not cleared).
/// Empty or `cat` turns it off; so does a pager that is not installed (the
/// output then goes to the terminal as it would have). pkgtrail writes into
/// a pipe the pager reads and, before it exits (or dies of a signal), closes
/// the pipe and waits for the pager, so the prompt comes back after it.
public enum Pager {
    nonisolated(unsafe) static var pid: pid_t = 0

    static func command() -> String? {
        let chosen = Terminal.variable("PKGTRAIL_PAGER") ?? Terminal.variable("PAGER") ?? "less"
        let trimmed = String(chosen.trimmingSpaces)
        guard !trimmed.isEmpty, trimmed != "cat" else { return nil }
        return trimmed
    }

    public static func start() {
        guard pid == 0, isatty(STDOUT_FILENO) == 1, let command = command() else { return }
        // The program must exist: `sh -c` would swallow the output and say "not found".
        let program = String(command.split(separator: " ").first ?? "")
        guard program.contains("/") ? FileSystem.isExecutableFile(program) : onPath(program) else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var defaults: [String: String] = [:]
        if Terminal.variable("LESS") == nil { defaults["LESS"] = "FRX" }
        if Terminal.variable("LV") == nil { defaults["LV"] = "-c" }
        let vars = SpawnArguments.environment(setting: defaults)
        let argv = ["/bin/sh", "-c", command]
        var child: pid_t = 0
        let rc = SpawnArguments.withCStringArrays(argv, vars) { a, e in
            posix_spawn(&child, "/bin/sh", &actions, nil, a, e)
        }
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            return
        }
        _ = StandardOutput.flush()
        dup2(fds[1], STDOUT_FILENO)
        close(fds[1])
        pid = child
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(sig, waitThenDie) }
    }

    /// Closes the pipe and waits for the pager (called before exiting).
    public static func finish() {
        guard pid != 0 else { return }
        _ = StandardOutput.flush()
        close(STDOUT_FILENO)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }

    static func onPath(_ program: String) -> Bool {
        (Terminal.variable("PATH") ?? "/usr/bin:/bin").split(separator: ":").contains { dir in
            FileSystem.isExecutableFile("\(dir)/\(program)")
        }
    }

}

/// A signal while paging: the pager gets the rest of the screen, then pkgtrail
/// dies of the signal as it would have (close, waitpid, signal and raise are
/// async-signal-safe).
private func waitThenDie(_ sig: Int32) {
    close(STDOUT_FILENO)
    var status: Int32 = 0
    if Pager.pid != 0 { while waitpid(Pager.pid, &status, 0) < 0 && errno == EINTR {} }
    signal(sig, SIG_DFL)
    raise(sig)
}
