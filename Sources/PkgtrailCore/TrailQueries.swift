/// The incident questions, as any engine that holds a log answers them:
/// who installed what, what an environment held at a moment, where a
/// version was present, which events match. `TrailStore` (SQLite) answers
/// them today; a second engine (the fleet store) implements the same
/// protocol and runs the same tests. The commands ask through this.
public protocol TrailQueries {
    /// Every change whose old or new version matches, by events the
    /// filter selects (its `package` aside), oldest first; with a limit, the newest.
    func who(_ query: PackageQuery, _ filter: EventFilter) throws -> [ChangeRecord]
    /// What the environment held at `at` (nil: now), by name.
    func state(of key: EnvironmentKey, at: String?) throws -> [Presence]
    /// The windows of every version of `names` that `matches` accepts and
    /// the filter admits (`EventFilter.select`, for each name), from the
    /// projections alone (no body read), by name, then in the engine's time order.
    func windows(
        names: [String], within filter: EventFilter, matches: @Sendable (_ name: String, _ version: String) -> Bool
    )
        throws -> [Window]
    /// The windows with the events that opened and ended them, each event
    /// decoded once, in the order given.
    func presences(_ windows: [Window]) throws -> [Presence]
    /// The events, as stored, undecoded (`--json` records are written from
    /// the bodies), each read once; a missing one is the engine's error (a
    /// projection named it).
    func storedEvents(_ keys: [StoredEvents.Key]) throws -> StoredEvents
    /// The events the filter selects, oldest first, one at a time (a
    /// large log never sits in memory).
    func eachEvent(_ filter: EventFilter, _ body: (StoredEvent) throws -> Void) throws
    /// The same events as stored, undecoded (`log --json` prints the bodies as they are).
    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws

    /// Every package name any change names.
    func packageNames() throws -> Set<String>

    func hasEnvironment(_ key: EnvironmentKey) throws -> Bool
    /// Up to `limit` environments, in key order.
    func someEnvironments(limit: Int) throws -> [EnvironmentKey]
    /// Hosts that recorded an environment at `prefix`.
    func hosts(prefix: String, limit: Int) throws -> [String]
}

extension TrailQueries {
    public func who(_ query: PackageQuery) throws -> [ChangeRecord] { try who(query, EventFilter()) }

    /// Every window in which a version of `name` that `matches` was
    /// present, of those the filter admits, with their events.
    public func exposure(
        name: String, within filter: EventFilter = EventFilter(), matches: @Sendable (String) -> Bool
    ) throws
        -> [Presence]
    {
        try presences(windows(names: [name], within: filter) { _, version in matches(version) })
    }
}

/// A presence window as the projections give it, before any body is read:
/// enough to select, count and order a large answer (an audit's hundred
/// thousand windows), whose events are then read a part at a time. A
/// class: an audit's windows are sorted and handed from part to part, and
/// copying their six strings each time was a tenth of its time.
public final class Window: Sendable {
    public let name: String
    public let version: String
    public let host: String
    public let prefix: String
    /// Which log, as the engine numbers them (the local log has one).
    public let log: Int64
    /// The seq of the event that brought the version, and of the one that ended its window.
    public let since: Int64
    public let until: Int64?
    /// When the arriving command started, and when the departing one finished (nil: still present).
    public let started: String
    public let ended: String?

    public init(
        name: String, version: String, host: String, prefix: String, log: Int64, since: Int64, until: Int64?,
        started: String, ended: String?
    ) {
        self.name = name
        self.version = version
        self.host = host
        self.prefix = prefix
        self.log = log
        self.since = since
        self.until = until
        self.started = started
        self.ended = ended
    }
}

/// One chained log as an export reads it: its head, the seq range of a time
/// window, and its rows as stored. The local log is one; so is each host's
/// log in the central store.
public protocol ChainReading {
    func head() throws -> (seq: Int64, hash: [UInt8])
    /// The first and last seq of the events in a time range (nil: none).
    func seqRange(since: String?, until: String?) throws -> ClosedRange<Int64>?
    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws
}

/// The central store: the same questions across every host's log, and each
/// host's log as a chain of its own.
public protocol FleetQueries: TrailQueries {
    /// The log pushed as `host`; nil picks the only one (an error when there are several).
    func chain(host: String?) throws -> any ChainReading
}
