/// A version an environment held over a window of the log: brought by
/// `arrival`, ended by `departure` (nil while it is still there).
public struct Presence: Sendable {
    public let name: String
    public let version: String
    public let host: String
    public let prefix: String
    public let arrival: ChangeRecord
    public let departure: ChangeRecord?

    public init(
        name: String, version: String, host: String, prefix: String, arrival: ChangeRecord, departure: ChangeRecord?
    ) {
        self.name = name
        self.version = version
        self.host = host
        self.prefix = prefix
        self.arrival = arrival
        self.departure = departure
    }

    /// Where the window begins, conservatively: when the installing command
    /// started; for a drift arrival, when the environment was last seen
    /// without it (nil: it was already there when pkgtrail first saw it).
    public var windowStart: String? {
        let e = arrival.event
        if let d = e.drift { return d.lastSeen }
        return e.started
    }

    /// Where it ends: when the command that replaced or removed it finished
    /// (nil: still present).
    public var windowEnd: String? { departure?.event.finished }
}
