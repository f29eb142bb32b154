import Crypto

/// The hash chain (SPEC.md §3):
///
///     hash(0) = 32 zero bytes
///     hash(n) = SHA-256(0x00 || hash(n-1) || body(n))
///
/// The leading 0x00 is a domain-separation byte, as in RFC 6962 and Go's
/// sumdb `tlog.RecordHash`: it keeps an event hash from ever colliding with
/// another kind of hash (e.g. a future checkpoint or tree node, which would
/// use 0x01). `seq` and `prev_hash` live inside the body, so the body alone
/// says where it belongs.
public enum Chain {
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func hash(previous: [UInt8], body: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: previous)
        h.update(data: body)
        return Array(h.finalize())
    }

    /// Fills in `seq` and `prev_hash`, encodes canonically and hashes: the one
    /// way an event enters the chain.
    public static func seal(_ draft: JSONValue, seq: Int64, previous: [UInt8]) throws -> Sealed {
        seal(try Draft(draft), seq: seq, previous: previous)
    }

    public static func seal(_ draft: Draft, seq: Int64, previous: [UInt8]) -> Sealed {
        var body: [UInt8] = []
        body.reserveCapacity(draft.before.count + draft.between.count + draft.after.count + 112)
        body.append(UInt8(ascii: "{"))
        func member(_ encoded: [UInt8]) {
            guard !encoded.isEmpty else { return }
            if body.count > 1 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: encoded)
        }
        member(draft.before)
        member(Array("\"prev_hash\":\"\(Hex.encode(previous))\"".utf8))
        member(draft.between)
        member(Array("\"seq\":\(seq)".utf8))
        member(draft.after)
        body.append(UInt8(ascii: "}"))
        return Sealed(seq: seq, prevHash: previous, hash: hash(previous: previous, body: body), body: body)
    }

    /// An event body canonically encoded but for its place in the chain: the
    /// members sorting before `prev_hash`, between it and `seq`, and after.
    /// Encoding is most of an append's own work and needs no lock, so a
    /// batch encodes its drafts on another core while the writer inserts;
    /// sealing only splices the two members in and hashes.
    public struct Draft: Sendable {
        let before: [UInt8], between: [UInt8], after: [UInt8]

        public init(_ event: JSONValue) throws {
            guard case .object(let object) = event else {
                throw PkgtrailError(.invalidEvent, "an event must be an object")
            }
            var groups: [[UInt8]] = [[], [], []]
            for m in object where m.key != "prev_hash" && m.key != "seq" {
                let g = CanonicalJSON.utf8Less(m.key, "prev_hash") ? 0 : CanonicalJSON.utf8Less(m.key, "seq") ? 1 : 2
                if !groups[g].isEmpty { groups[g].append(UInt8(ascii: ",")) }
                try CanonicalJSON.writeMember(m, into: &groups[g])
            }
            (before, between, after) = (groups[0], groups[1], groups[2])
        }
    }

    public struct Sealed: Sendable {
        public let seq: Int64
        public let prevHash: [UInt8]
        public let hash: [UInt8]
        public let body: [UInt8]
    }
}
