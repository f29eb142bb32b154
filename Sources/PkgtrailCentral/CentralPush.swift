import NIOCore
import PkgtrailCore
import PostgresNIO

/// The host's side of a push: the central head of its log (as this host's
/// role may see it) and one batch of rows sent through `pkgtrail.push`,
/// which checks them in the database. Each batch is its own transaction,
/// so a push cut off midway resumes from the head the store acknowledged,
/// and a batch sent twice stores nothing twice.
public struct CentralPush {
    public struct Head: Sendable, Equatable {
        public var seq: Int64
        public var hash: [UInt8]
        public var verifier: String
    }

    let db: CentralConnection

    public init(_ db: CentralConnection) { self.db = db }

    /// Nil before the host's first push.
    public func head(host: String) throws -> Head? {
        guard let row = try db.run("SELECT head_seq, head_hash, verifier FROM pkgtrail.head(\(host))").first else {
            return nil
        }
        let (seq, hash, verifier) = try row.decode((Int64, ByteBuffer, String).self)
        return Head(seq: seq, hash: Array(hash.readableBytesView), verifier: verifier)
    }

    /// Sends `rows`, which must continue the central head; the new head.
    /// A refusal (the store's reason, also written to its alerts) throws.
    public func send(host: String, verifier: String, checkpoint: String?, rows: [StoredRecord]) throws -> Int64 {
        let seqs = rows.map(\.seq)
        let prevs = rows.map { ByteBuffer(bytes: $0.prevHash) }
        let hashes = rows.map { ByteBuffer(bytes: $0.hash) }
        let bodies = rows.map { ByteBuffer(bytes: $0.body) }
        let query: PostgresQuery = """
            SELECT accepted, head_seq, reason FROM pkgtrail.push(
                \(host), \(verifier), \(checkpoint), \(seqs), \(prevs), \(hashes), \(bodies))
            """
        guard let row = try db.run(query).first else {
            throw PkgtrailError(.unwritable, "the central store answered the push with nothing")
        }
        let (accepted, head, reason) = try row.decode((Bool, Int64?, String?).self)
        guard accepted, let head else {
            throw PkgtrailError(
                .invalidInput, "the central store refused the push of \(host)'s log: \(reason ?? "no reason given")")
        }
        return head
    }
}
