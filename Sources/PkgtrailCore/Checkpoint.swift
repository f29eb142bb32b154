/// A log checkpoint in the C2SP tlog-checkpoint layout: origin, size and
/// head hash, one per line. pkgtrail's log is a hash chain, not a Merkle
/// tree, so the third line is the chain's head hash(size) (docs/SPEC.md §3), and
/// "consistency" means the log still holds, at seq `size`, that hash.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: Int64
    public let head: [UInt8]

    public init(origin: String, size: Int64, head: [UInt8]) {
        self.origin = origin
        self.size = size
        self.head = head
    }

    public var text: String { "\(origin)\n\(size)\n\(Base64.encode(head))\n" }

    public init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty, let size = Int64(lines[1]), size >= 0,
            String(size) == lines[1], let head = Base64.decode(lines[2]), head.count == 32
        else {
            throw PkgtrailError(.invalidInput, "not a pkgtrail checkpoint (origin, size, base64 head hash)")
        }
        self.init(origin: lines[0], size: size, head: head)
    }
}
