/// Events as stored, read for a part of a large answer: their hashes and
/// bodies side by side in one buffer, found by log and seq. An audit's part
/// names five thousand events; one buffer is one allocation where an array
/// per body and per hash was ten thousand, each copied and freed again.
public struct StoredEvents: Sendable {
    public struct Key: Hashable, Sendable {
        public let log: Int64
        public let seq: Int64

        public init(log: Int64, seq: Int64) {
            self.log = log
            self.seq = seq
        }
    }

    /// Where an event lies in `bytes`.
    public struct Place: Sendable {
        public let hash: Range<Int>
        public let body: Range<Int>
    }

    public private(set) var bytes: [UInt8] = []
    private var places: [Key: Place] = [:]

    /// `bodies`: about how many bytes the events will take.
    public init(events: Int = 0, bodies: Int = 0) {
        places.reserveCapacity(events)
        bytes.reserveCapacity(bodies)
    }

    /// The event is kept once: a second copy of the same key is ignored.
    /// (Raw bytes, not any collection: a generic copy from another module
    /// went a byte at a time.)
    public mutating func add(_ key: Key, hash: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) {
        guard places[key] == nil else { return }
        let h = bytes.count
        bytes.append(contentsOf: hash)
        let b = bytes.count
        bytes.append(contentsOf: body)
        places[key] = Place(hash: h..<b, body: b..<bytes.count)
    }

    public mutating func add(_ key: Key, hash: [UInt8], body: [UInt8]) {
        hash.withUnsafeBytes { hash in body.withUnsafeBytes { body in add(key, hash: hash, body: body) } }
    }

    public subscript(_ key: Key) -> Place? { places[key] }

    /// Where an event a projection named lies: one the engine did not read
    /// is the log's inconsistency.
    public func place(of key: Key) throws -> Place {
        guard let place = places[key] else {
            throw PkgtrailError(.corrupt, "event \(key.seq) was not read: run `pkgtrail verify`")
        }
        return place
    }

    public var count: Int { places.count }
}
