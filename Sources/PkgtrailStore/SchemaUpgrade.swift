import PkgtrailCore
import PkgtrailSystem

extension TrailStore {
    /// Opens an existing log for the queries. A log written by an older
    /// pkgtrail has its query tables upgraded first (once), as the next
    /// recorded install would; where that cannot be done (a read-only copy,
    /// a writer holding the lock past the busy timeout), only a caller that
    /// allows an older schema (`verify`: its chain and triggers need no
    /// upgrade) gets the log as it is; the others are told what to do.
    /// `whileUpgrading`: see `openForWriting`.
    public static func openForQueries(
        path: String, olderSchemaAllowed: Bool = false, whileUpgrading: (() -> Void)? = nil
    ) throws -> TrailStore {
        try openForQueries(path: path, olderSchemaAllowed: olderSchemaAllowed) {
            try openForWriting(path: $0, whileUpgrading: whileUpgrading).close()
        }
    }

    /// `upgrade` is the writer's open (tests make it fail as a read-only
    /// copy would, which root's writes never do).
    static func openForQueries(path: String, olderSchemaAllowed: Bool, upgrade: (String) throws -> Void)
        throws -> TrailStore
    {
        var reader: TrailStore? = try openForReading(path: path)
        if let current = reader, try current.hasCurrentSchema() { return current }
        // Closed before the upgrade: the writer's close then checkpoints
        // and removes the WAL, which a reader left open would keep.
        reader = nil
        Console.note(
            "upgrading the query tables of \(path) for this pkgtrail (once; up to half a minute per million events)")
        do {
            try upgrade(path)
        } catch  where olderSchemaAllowed {
            return try openForReading(path: path)
        } catch {
            throw PkgtrailError(
                .unwritable,
                "\(path) was written by an older pkgtrail and cannot be upgraded here (\(error)): "
                    + "open it once with write access (`pkgtrail verify --db \(path)`)")
        }
        return try openForReading(path: path)
    }
}
