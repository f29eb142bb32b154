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

    /// Where the window begins (`ChangeRecord.windowStart` of its arrival).
    public var windowStart: String? { arrival.windowStart }

    /// Where it ends: when the command that replaced or removed it finished
    /// (nil: still present).
    public var windowEnd: String? { departure?.event.finished }
}
