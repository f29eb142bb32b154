/// The incident questions, as any engine that holds a log answers them:
/// who installed what, what an environment held at a moment, where a
/// version was present, which events match. `TrailStore` (SQLite) answers
/// them today; a second engine (the fleet store) implements the same
/// protocol and runs the same tests. The commands ask through this.
public protocol TrailQueries {
    /// Every change whose old or new version matches, oldest first.
    func who(_ query: PackageQuery) throws -> [ChangeRecord]
    /// What the environment held at `at` (nil: now), by name.
    func state(of key: EnvironmentKey, at: String?) throws -> [Presence]
    /// Every window in which a version of `name` that `matches` was present.
    func exposure(name: String, matches: (String) -> Bool) throws -> [Presence]
    /// The events the filter selects, oldest first, one at a time (a
    /// large log never sits in memory).
    func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws
    /// The same events as stored, undecoded (`log --json` prints the bodies as they are).
    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws

    func hasEnvironment(_ key: EnvironmentKey) throws -> Bool
    /// Up to `limit` environments, in key order.
    func someEnvironments(limit: Int) throws -> [EnvironmentKey]
    /// Hosts that recorded an environment at `prefix`.
    func hosts(prefix: String, limit: Int) throws -> [String]
}
