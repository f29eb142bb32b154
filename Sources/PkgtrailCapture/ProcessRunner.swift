import PkgtrailSystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The pid of the running child, read by the signal handler (which may not
/// capture context: it is a C function pointer).
private let runningChild = Atomic<Int32>(0)
/// The last terminating signal delivered to the recorder while a child ran.
private let receivedSignal = Atomic<Int32>(0)

/// Runs the real tool as the shims' child with posix_spawn, so that it stays
/// in the terminal's foreground process group with the same stdin, stdout,
/// stderr and TTY (Foundation's Process cannot: docs/FACTS.md, "Running the real tool").
public enum ProcessRunner {
    public struct Exit: Sendable {
        /// What the wrapper must exit with: the child's code, or 128+signal.
        public let status: Int32
        /// Set when the child died by a signal.
        public let signal: Int32?
        /// A terminating signal that reached the wrapper while the child ran
        /// (Ctrl-C typed on the terminal reaches both).
        public let interruptedBy: Int32?

        /// Not run: refused by the policy (1, as every negative verdict).
        static let blocked = Exit(status: 1, signal: nil, interruptedBy: nil)
    }

    static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Signals typed on the terminal already reach the child (same process
    /// group); only signals sent to the wrapper itself (`kill`, si_code <= 0)
    /// are forwarded, or the child would get them twice.
    private static let handler:
        @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = {
            sig, info, _ in
            receivedSignal.store(sig, ordering: .relaxed)
            let pid = runningChild.load(ordering: .relaxed)
            if pid > 0, let info, info.pointee.si_code <= 0 {
                kill(pid, sig)
            }
        }

    /// A started child. The recorder does its own work (opening the log,
    /// comparing with it) while the tool runs, then waits.
    public final class Running {
        let pid: pid_t
        private let saved: [(Int32, sigaction)]

        init(pid: pid_t, saved: [(Int32, sigaction)]) {
            self.pid = pid
            self.saved = saved
        }

        public func wait() -> Exit {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { break }
            }
            runningChild.store(0, ordering: .relaxed)
            for (s, old) in saved {
                var o = old
                sigaction(s, &o, nil)
            }
            let got = receivedSignal.exchange(0, ordering: .relaxed)
            let termSig = status & 0x7f
            if termSig != 0 && termSig != 0x7f {
                return Exit(status: 128 + termSig, signal: termSig, interruptedBy: got == 0 ? nil : got)
            }
            return Exit(status: (status >> 8) & 0xff, signal: nil, interruptedBy: got == 0 ? nil : got)
        }
    }

    public static func start(path: String, argv: [String], environment: [String]) throws -> Running {
        _ = runningChild.load(ordering: .relaxed)
        _ = receivedSignal.load(ordering: .relaxed)
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for s in forwarded { sigaddset(&blocked, s) }
        // Block while spawning so a signal cannot slip between spawn and storing the pid.
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handler
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        var saved: [(Int32, sigaction)] = []
        for s in forwarded {
            var old = sigaction()
            sigaction(s, &action, &old)
            saved.append((s, old))
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // The child gets the caller's original mask; our handlers are reset by exec.
        posix_spawnattr_setsigmask(&attr, &previous)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let rc = SpawnArguments.withCStringArrays(argv, environment) { cargv, cenv in
            posix_spawn(&pid, path, nil, &attr, cargv, cenv)
        }
        guard rc == 0 else {
            for (s, old) in saved {
                var o = old
                sigaction(s, &o, nil)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            throw SystemError(rc)
        }
        runningChild.store(pid, ordering: .relaxed)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        return Running(pid: pid, saved: saved)
    }

    /// Replaces this process with the real tool: the zero-overhead path for
    /// commands that change nothing.
    public static func exec(path: String, argv: [String], environment: [String]) -> Int32 {
        _ = SpawnArguments.withCStringArrays(argv, environment) { cargv, cenv in execve(path, cargv, cenv) }
        return errno
    }

    /// Dies the way the child died, so the caller's shell sees the same
    /// signal (bash aborts a script on a child's SIGINT death, not on exit 130).
    public static func reraise(_ sig: Int32) -> Never {
        var lim = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &lim)
        signal(sig, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, sig)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), sig)
        exit(128 + sig)
    }

    /// The current environment as `NAME=value` strings with some names replaced (`SpawnArguments`).
    public static func environment(setting overrides: [String: String], removing: Set<String> = []) -> [String] {
        SpawnArguments.environment(setting: overrides, removing: removing)
    }
}

extension ProcessRunner {
    /// Runs a helper with its stdout captured (stdin and stderr to /dev/null),
    /// with a plain environment minus pkgtrail's markers, plus `setting`
    /// (what must not go on a command line others can read). Nil on any failure.
    static func capture(path: String, argv: [String], setting: [String: String] = [:]) -> [UInt8]? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid: pid_t = 0
        let env = environment(setting: setting, removing: ["PKGTRAIL_ACTIVE", "PYTHONSTARTUP", "PYTHONINSPECT"])
        let rc = SpawnArguments.withCStringArrays(argv, env) { a, e in posix_spawn(&pid, path, &actions, nil, a, e) }
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            return nil
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0 ? out : nil
    }
}
