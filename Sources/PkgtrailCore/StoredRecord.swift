/// A row of the chained table as an engine stores it: no decoding, no trust.
public struct StoredRecord: Sendable {
    public let seq: Int64
    public let prevHash: [UInt8]
    public let hash: [UInt8]
    public let body: [UInt8]

    public init(seq: Int64, prevHash: [UInt8], hash: [UInt8], body: [UInt8]) {
        self.seq = seq
        self.prevHash = prevHash
        self.hash = hash
        self.body = body
    }

    public func decoded() throws -> StoredEvent {
        try Self.decode(seq: seq, hash: hash, body: body)
    }

    /// The one place a stored body becomes an event.
    public static func decode(seq: Int64, hash: [UInt8], body: [UInt8]) throws -> StoredEvent {
        guard let event = try? Event(json: JSONParser.parse(body)) else {
            throw PkgtrailError(.corrupt, "event \(seq) has an unreadable body: run `pkgtrail verify`")
        }
        return StoredEvent(event: event, hash: hash, body: body)
    }
}
