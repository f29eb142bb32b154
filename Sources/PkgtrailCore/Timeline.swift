/// The windows an export's events show, laid out for a picture: for each
/// environment, a lane per package the events changed, each version a bar
/// from the command that brought it (it started) to the one that replaced
/// or removed it (it finished), or to the end of the export. An export can
/// begin mid-history: a version the slice's first change of a package
/// replaces was there from before its start (`from` nil).
public struct Timeline {
    public struct Bar: Sendable, Equatable {
        public let version: String
        /// Milliseconds since the epoch; nil: there before the export's first event.
        public let from: Int64?
        /// nil: still present when the export ends.
        public var until: Int64?
        /// Matched by a `--highlight` query or an `--osv` advisory.
        public let flagged: Bool
        /// Its installing change added a startup hook that runs code and is not known.
        public let hook: Bool
        /// Found by a snapshot, not recorded from a command.
        public let drift: Bool
    }

    public struct Lane: Sendable {
        public let name: String
        public var bars: [Bar]
    }

    /// A moment worth marking on an environment's lanes: an event with an
    /// unknown startup hook, a failed or interrupted command, found drift.
    public struct Mark: Sendable, Equatable {
        public enum Kind: String, Sendable { case hook, failed, drift }
        public let kind: Kind
        public let at: Int64
        public let seq: Int64
    }

    public struct Place: Sendable {
        public let key: EnvironmentKey
        /// By name.
        public var lanes: [Lane] { laneOrder.sorted().map { Lane(name: $0, bars: bars[$0]!) } }
        public var marks: [Mark]
        var laneOrder: [String] = []
        var bars: [String: [Bar]] = [:]
    }

    /// Environments in the order the export first meets them.
    public private(set) var places: [Place] = []
    /// The span the export covers: its first event's start to its last one's finish.
    public private(set) var start: Int64?
    public private(set) var end: Int64?
    private var index: [EnvironmentKey: Int] = [:]
    private let flags: (_ name: String, _ version: String) -> Bool
    private let alarming: (StartupHook) -> Bool

    /// `flags`: which versions to draw in the warning colour; `alarming`:
    /// which startup hooks to mark (unknown ones that run code).
    public init(
        flags: @escaping (_ name: String, _ version: String) -> Bool, alarming: @escaping (StartupHook) -> Bool
    ) {
        self.flags = flags
        self.alarming = alarming
    }

    public mutating func add(_ e: Event) {
        guard let started = Timestamp.parse(e.started), let finished = Timestamp.parse(e.finished) else { return }
        // A drift arrival's window opens when the environment was last seen without it.
        let arrival = e.drift.flatMap { $0.lastSeen.flatMap(Timestamp.parse) } ?? started
        start = min(start ?? arrival, arrival)
        end = max(end ?? finished, finished)
        let key = EnvironmentKey(host: e.actor.host, prefix: e.environment.prefix)
        let p: Int
        if let known = index[key] {
            p = known
        } else {
            p = places.count
            index[key] = p
            places.append(Place(key: key, marks: []))
        }
        for c in e.changes {
            if places[p].bars[c.name] == nil {
                places[p].laneOrder.append(c.name)
                places[p].bars[c.name] = []
            }
            var lane = places[p].bars[c.name]!
            if let last = lane.indices.last, lane[last].until == nil {
                lane[last].until = finished
            } else if let before = c.fromVersion {
                lane.append(
                    Bar(
                        version: before, from: nil, until: finished, flagged: flags(c.name, before), hook: false,
                        drift: false))
            }
            if c.action != .remove, let version = c.toVersion {
                lane.append(
                    Bar(
                        version: version, from: arrival, until: nil, flagged: flags(c.name, version),
                        hook: c.startupHooks.contains(where: alarming),
                        drift: e.kind == .drift))
            }
            places[p].bars[c.name] = lane
        }
        if (e.startupHooks + e.changes.flatMap(\.startupHooks)).contains(where: alarming) {
            places[p].marks.append(Mark(kind: .hook, at: finished, seq: e.seq))
        }
        if let outcome = e.command?.outcome, outcome != .ok {
            places[p].marks.append(Mark(kind: .failed, at: finished, seq: e.seq))
        }
        if e.kind == .drift { places[p].marks.append(Mark(kind: .drift, at: finished, seq: e.seq)) }
    }
}
