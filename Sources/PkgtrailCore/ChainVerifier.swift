/// Walks stored rows in `seq` order and finds the first one that breaks the
/// chain. Pure: the store feeds rows, so the same logic checks a database, an
/// export or a test's hand-made rows.
public struct ChainVerifier {
    public enum Fault: String, Sendable {
        case modified, missing, reordered, inserted, forked
    }

    /// The first bad seq and why. An error, not a bool, so callers cannot
    /// drop the reason.
    public struct Break: Error, Equatable, CustomStringConvertible {
        public let seq: Int64
        public let fault: Fault
        public let reason: String
        public var description: String { "seq \(seq): \(fault.rawValue): \(reason)" }
    }

    public private(set) var count: Int64 = 0
    public private(set) var head: [UInt8] = Chain.genesis
    /// Hashes seen so far, to tell an inserted or forked event from a corrupt link.
    private var seen: [UInt64: Int64] = [:]
    private var beforeHead: [UInt8]? = nil

    public init() {}

    /// 64 bits of a hash are plenty to recognise an earlier event, at a
    /// quarter of the memory of whole hashes on a million-event log.
    private static func key(_ hash: [UInt8]) -> UInt64 {
        hash.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func feed(_ row: StoredRecord) throws {
        try feed(row, header: Self.header(try? JSONParser.parse(row.body)))
    }

    /// What the chain needs from a body: its `seq` and `prev_hash`.
    public struct Header: Sendable {
        public let seq: Int64
        public let prevHash: [UInt8]
    }

    /// The header of a parsed body; nil when the body is not a well-formed event.
    public static func header(_ parsed: JSONValue?) -> Header? {
        guard let parsed, let seq = parsed["seq"]?.intValue, let prevHex = parsed["prev_hash"]?.stringValue,
            let prev = Hex.decode(prevHex), prev.count == 32
        else { return nil }
        return Header(seq: seq, prevHash: prev)
    }

    /// `header`: read from the body by the caller (nil: the body did not
    /// parse), so a verifier that also decodes the event parses it once.
    public mutating func feed(_ row: StoredRecord, header: Header?) throws {
        let expected = count + 1
        if row.seq > expected {
            throw Break(
                seq: expected, fault: .missing,
                reason: "events \(expected)…\(row.seq - 1) are gone; the next stored event is \(row.seq)")
        }
        if row.seq < expected {
            throw Break(seq: row.seq, fault: .reordered, reason: "seq \(row.seq) appears after seq \(count)")
        }
        guard let header else {
            throw Break(seq: row.seq, fault: .modified, reason: "the body is not a well-formed event")
        }
        let bodySeq = header.seq
        let bodyPrev = header.prevHash
        let computed = Chain.hash(previous: bodyPrev, body: row.body)
        if computed != row.hash {
            throw Break(
                seq: row.seq, fault: .modified, reason: "the stored hash does not match the body (body or hash altered)"
            )
        }
        if bodySeq != row.seq {
            if bodySeq == row.seq - 1 && bodyPrev == beforeHead {
                throw Break(
                    seq: row.seq - 1, fault: .inserted,
                    reason:
                        "event \(row.seq - 1) is not part of the chain: the event stored after it follows seq "
                        + "\(row.seq - 2)"
                )
            }
            throw Break(seq: row.seq, fault: .reordered, reason: "the row at seq \(row.seq) holds event \(bodySeq)")
        }
        if bodyPrev != head {
            if bodyPrev == beforeHead {
                throw Break(
                    seq: row.seq - 1, fault: .inserted,
                    reason: "event \(row.seq - 1) is not part of the chain: event \(row.seq) follows seq \(row.seq - 2)"
                )
            }
            if let branch = seen[Self.key(bodyPrev)] {
                throw Break(
                    seq: row.seq, fault: .forked,
                    reason: "event \(row.seq) branches from seq \(branch), not from seq \(count)")
            }
            throw Break(seq: row.seq, fault: .modified, reason: "prev_hash does not match the hash of seq \(count)")
        }
        if row.prevHash != bodyPrev {
            throw Break(seq: row.seq, fault: .modified, reason: "the prev_hash column differs from the body")
        }
        if let earlier = seen[Self.key(computed)] {
            throw Break(seq: row.seq, fault: .forked, reason: "event \(row.seq) repeats event \(earlier)")
        }
        seen[Self.key(computed)] = row.seq
        beforeHead = head
        head = computed
        count = row.seq
    }
}
