import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Pushes to the central store that run one at a time per log, and the
/// push a recorded install may start. Recording never waits for the
/// network: the recorder only spawns `pkgtrail-central push --background`,
/// detached (its own session, no terminal, nothing inherited but the
/// allowlisted environment), and exits; the push waits its turn and writes
/// its outcome to a one-line file `doctor` shows.
public struct BackgroundPush: Sendable {
    /// Held by the push that runs.
    public let lockPath: String
    /// Held by the one push that waits for it: a third finds it taken and
    /// leaves, since the waiting one will send its events too.
    public let waitPath: String
    /// The last background push's outcome, one line.
    public let outcomePath: String

    public init(databasePath: String, stateDirectory: String) {
        lockPath = StateFiles.path(stateDirectory, "push", for: databasePath, "lock")
        waitPath = StateFiles.path(stateDirectory, "push", for: databasePath, "wait")
        outcomePath = StateFiles.path(stateDirectory, "push", for: databasePath, "last")
    }

    /// After a committed append: starts the background push when
    /// central.conf says `push = after-install`. Never fails the caller: a
    /// push that cannot start says so in the outcome file.
    public static func afterCommit(env: ProcessEnvironment, databasePath: String) {
        guard let config = try? CentralConfig.load(env), config.push == .afterInstall, config.url != nil else { return }
        let push = BackgroundPush(databasePath: databasePath, stateDirectory: env.stateDirectory)
        let program = centralProgram
        let argv = [program, "push", "--background", "--db", databasePath]
        if let failure = spawnDetached(program, argv, environment: env.assignments) {
            push.record("cannot start \(program): \(failure)")
        }
    }

    /// `pkgtrail-central`, installed beside this binary: what the fleet's commands run.
    public static var centralProgram: String {
        FileSystem.join(FileSystem.dirname(FileSystem.selfExecutable()), "pkgtrail-central")
    }

    /// glibc's POSIX_SPAWN_SETSID (spawn.h, since 2.26), which Swift's Glibc module does not export.
    static let setsid: Int32 = 0x80

    /// posix_spawn in a new session with /dev/null for 0, 1 and 2, default
    /// signal dispositions and an empty mask; the error, if any.
    static func spawnDetached(_ path: String, _ argv: [String], environment: [String]) -> String? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(setsid | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = SpawnArguments.withCStringArrays(argv, environment) { cargv, cenv in
            posix_spawn(&pid, path, &actions, &attr, cargv, cenv)
        }
        return rc == 0 ? nil : String(cString: strerror(rc))
    }

    /// Takes the push lock for this log, waiting behind a running push.
    /// `background`: returns nil at once when another push already waits
    /// (it will send these events too). The lock lasts until the process exits.
    public func acquire(background: Bool) throws -> Int32? {
        FileSystem.makeDirectories(FileSystem.dirname(lockPath))
        func open(_ path: String) throws -> Int32 {
            let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw PkgtrailError(.unwritable, "cannot open \(path): \(SystemError(errno)); check its directory")
            }
            return fd
        }
        let wait = try open(waitPath)
        defer { close(wait) }
        if background, flock(wait, LOCK_EX | LOCK_NB) != 0 { return nil }
        let lock = try open(lockPath)
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        return lock
    }

    /// Writes the outcome line: the time, then what happened.
    public func record(_ outcome: String) {
        _ = FileSystem.writeAtomically(outcomePath, Array("\(Clock.now()) \(outcome)\n".utf8))
    }

    /// The last background push's outcome line, if one ran.
    public var lastOutcome: String? {
        FileSystem.readText(outcomePath).map { String($0.trimmingSpaces) }
    }
}
