/// One recorded change with the event around it: who, where, with what
/// command, from which index. Forensic answers are lists of these.
public struct ChangeRecord: Sendable {
    public let event: Event
    public let hash: [UInt8]
    public let index: Int
    public var change: Change { event.changes[index] }

    public init(event: Event, hash: [UInt8], index: Int) {
        self.event = event
        self.hash = hash
        self.index = index
    }
}
