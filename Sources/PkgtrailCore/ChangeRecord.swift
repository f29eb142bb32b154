/// One recorded change with the event around it: who, where, with what
/// command, from which index. Forensic answers are lists of these.
///
/// The event is held by reference: an answer names each event in several
/// records (an upgrade ends one window and opens the next), and an audit
/// sorts a hundred thousand windows of two records each; a copied `Event`
/// retains every one of its dozens of strings and arrays.
public struct ChangeRecord: Sendable {
    private let shared: Shared
    public let index: Int

    public var event: Event { shared.event }
    public var hash: [UInt8] { shared.hash }
    /// The event's body as stored: `--json` records are written from it.
    public var body: [UInt8] { shared.body }
    public var change: Change { shared.event.changes[index] }

    /// Where a window this record opens begins, conservatively: when the
    /// installing command started; for a drift arrival, when the environment
    /// was last seen without it (nil: it was already there when pkgtrail
    /// first saw it).
    public var windowStart: String? {
        let e = shared.event
        if let d = e.drift { return d.lastSeen }
        return e.started
    }

    /// A record of an event not read from a log (tests): its body is encoded.
    public init(event: Event, hash: [UInt8], index: Int) throws {
        self.init(Shared(event: event, hash: hash, body: try CanonicalJSON.encode(event.json)), index: index)
    }

    /// Records of one event share it.
    public init(_ shared: Shared, index: Int) {
        self.shared = shared
        self.index = index
    }

    public final class Shared: Sendable {
        public let event: Event
        public let hash: [UInt8]
        public let body: [UInt8]

        public init(event: Event, hash: [UInt8], body: [UInt8]) {
            self.event = event
            self.hash = hash
            self.body = body
        }

        public convenience init(_ stored: StoredEvent) {
            self.init(event: stored.event, hash: stored.hash, body: stored.body)
        }
    }
}
