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
    public var change: Change { shared.event.changes[index] }

    public init(event: Event, hash: [UInt8], index: Int) {
        self.init(Shared(event: event, hash: hash), index: index)
    }

    /// Records of one event share it.
    public init(_ shared: Shared, index: Int) {
        self.shared = shared
        self.index = index
    }

    public final class Shared: Sendable {
        public let event: Event
        public let hash: [UInt8]

        public init(event: Event, hash: [UInt8]) {
            self.event = event
            self.hash = hash
        }
    }
}
