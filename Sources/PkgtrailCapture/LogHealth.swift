import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The log as `pkgtrail doctor` reports it: where it is, whether the next
/// recorded command can write it, how far it goes, and what waits in the
/// spool. Read-only: it never creates, migrates or appends to the log.
public struct LogHealth: Sendable {
    public var path: String
    public var exists: Bool
    /// The file (or, before the first event, its directory) can be written.
    public var writable: Bool
    public var events: Int64?
    public var head: String?
    /// Why the log could not be read, when it exists.
    public var problem: String?
    public var spooled: Int
    public var spoolPaths: [String]

    /// False when recorded commands would spool instead of logging.
    public var healthy: Bool { writable && problem == nil }

    public static func inspect(databasePath path: String, stateDirectory: String) -> LogHealth {
        let exists = FileSystem.exists(path)
        var health = LogHealth(
            path: path, exists: exists, writable: Self.writable(path), events: nil, head: nil,
            problem: nil, spooled: 0, spoolPaths: [])
        if exists {
            do {
                let store = try TrailStore.openForReading(path: path)
                let head = try store.head()
                health.events = head.seq
                health.head = Hex.encode(head.hash)
            } catch {
                health.problem = "\(error)"
            }
        }
        let spool = Spool(databasePath: path, stateDirectory: stateDirectory)
        health.spoolPaths = spool.pendingPaths
        health.spooled = health.spoolPaths.reduce(0) { n, p in
            n + (FileSystem.read(p)?.filter { $0 == 0x0A }.count ?? 0)
        }
        return health
    }

    /// The log's file when it exists, else the nearest existing directory it
    /// would be created in (the recorder makes the missing ones).
    static func writable(_ path: String) -> Bool {
        if FileSystem.exists(path) { return access(path, W_OK) == 0 && access(FileSystem.dirname(path), W_OK) == 0 }
        var dir = FileSystem.dirname(path)
        while !FileSystem.exists(dir), dir != "/" { dir = FileSystem.dirname(dir) }
        return access(dir, W_OK) == 0
    }
}
