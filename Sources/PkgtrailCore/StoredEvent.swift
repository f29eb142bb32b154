/// An event as stored: the decoded event, its chain hash and its exact body bytes.
public struct StoredEvent: Sendable {
    public let event: Event
    public let hash: [UInt8]
    public let body: [UInt8]

    public init(event: Event, hash: [UInt8], body: [UInt8]) {
        self.event = event
        self.hash = hash
        self.body = body
    }
}
