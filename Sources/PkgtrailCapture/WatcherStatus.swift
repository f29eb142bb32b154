import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a watcher runs for a log, and what it covers. The watcher holds
/// an exclusive `flock` on a lock file for as long as it runs (the kernel
/// drops it when the process dies, however it dies), so "running" is never
/// a stale pid file; beside it, a small JSON file says which environments
/// it watches. One watcher per log: a second one finds the lock taken.
public struct WatcherStatus: Sendable {
    public let lockPath: String
    public let statusPath: String

    public init(databasePath: String, stateDirectory: String) {
        lockPath = StateFiles.path(stateDirectory, "watch", for: databasePath, "lock")
        statusPath = StateFiles.path(stateDirectory, "watch", for: databasePath, "json")
    }

    public struct Running: Sendable, Equatable {
        public var pid: Int64?
        public var started: String?
        public var environments: [String]
        public var discover: [String]
    }

    /// Takes the watcher's lock; nil when another watcher holds it. The
    /// descriptor stays open (and the lock held) until the process exits.
    public func claim() throws -> Int32? {
        FileSystem.makeDirectories(FileSystem.dirname(lockPath))
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PkgtrailError(.unwritable, "cannot open \(lockPath): \(SystemError(errno)); check its directory")
        }
        // A few tries: `running()` (doctor) holds a shared lock for a moment.
        for _ in 0..<20 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return fd }
            usleep(10_000)
        }
        close(fd)
        return nil
    }

    /// What the running watcher published; nil when none runs.
    public func running() -> Running? {
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return nil }  // free: nobody holds it
        let json = FileSystem.read(statusPath, limit: 16 << 20).flatMap { try? JSONParser.parse($0) }
        return Running(
            pid: json?["pid"]?.intValue, started: json?["started"]?.stringValue,
            environments: json?["environments"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            discover: json?["discover"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    private static let started = Clock.now()

    func publish(environments: [String], discover: [String], databasePath: String) {
        let body: JSONValue = .object([
            "pid": .int(Int64(getpid())), "started": .string(Self.started), "log": .string(databasePath),
            "environments": .strings(environments), "discover": .strings(discover)
        ])
        if let bytes = try? CanonicalJSON.encode(body) { _ = FileSystem.writeAtomically(statusPath, bytes + [0x0A]) }
    }
}
