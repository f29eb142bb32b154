import NIOCore
import PkgtrailCore
import PostgresNIO

/// What a responder asks of the central store itself: which hosts push and
/// how recently, what was refused, and whether every stored chain and
/// checkpoint still holds. Reads only (the reader role suffices).
public struct CentralAudit {
    public struct Host: Sendable, Equatable {
        public var host: String
        public var head: Int64
        public var firstPush: String
        public var lastPush: String
        /// Seconds since the last accepted push (one with nothing new counts: it says the host is there).
        public var silentFor: Int64
        /// When the newest stored event finished: how far the store's view of the host reaches.
        public var newestEvent: String?
        public var refused: Int64
        public var keyName: String
    }

    public struct Alert: Sendable, Equatable {
        public var at: String
        public var host: String
        public var kind: String
        public var detail: String
    }

    public struct Verdict: Sendable, Equatable {
        public var host: String
        public var events: Int64
        /// Empty when the chain, the head and the checkpoint all hold.
        public var problems: [String]
        /// The size the stored checkpoint vouches for, when it verified.
        public var checkpointSize: Int64?
    }

    let db: CentralConnection

    public init(_ db: CentralConnection) { self.db = db }

    /// A timestamptz column as the log writes times (RFC 3339, UTC, milliseconds).
    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    public func hosts() throws -> [Host] {
        let sql = """
            SELECT h.host, h.head_seq, \(Self.utc("h.first_push")), \(Self.utc("h.last_push")),
                   extract(epoch FROM now() - h.last_push)::bigint,
                   (SELECT count(*) FROM pkgtrail.alert a WHERE a.host = h.host),
                   split_part(h.verifier, '+', 1),
                   (SELECT s.finished FROM pkgtrail.event_summary s WHERE s.log_id = h.log_id AND s.seq = h.head_seq)
            FROM pkgtrail.host_log h ORDER BY h.host
            """
        return try db.run(PostgresQuery(unsafeSQL: sql)).map { row in
            let (host, head, first, last, silent, refused, key, newest) = try row.decode(
                (String, Int64, String, String, Int64, Int64, String, String?).self)
            return Host(
                host: host, head: head, firstPush: first, lastPush: last, silentFor: silent, newestEvent: newest,
                refused: refused, keyName: key)
        }
    }

    /// Alerts for hosts the store never accepted a push from are listed too.
    public func alerts(limit: Int) throws -> [Alert] {
        let sql = """
            SELECT \(Self.utc("at")), host, kind, detail FROM pkgtrail.alert ORDER BY alert_id DESC LIMIT \(limit)
            """
        return try db.run(PostgresQuery(unsafeSQL: sql)).map { row in
            let (at, host, kind, detail) = try row.decode((String, String, String, String).self)
            return Alert(at: at, host: host, kind: kind, detail: detail)
        }
    }

    /// Recomputes every host's chain from the stored bytes, compares its end
    /// with the recorded head, and checks the stored checkpoint's signature
    /// against the key the log is bound to and its hash against the chain.
    public func verify() throws -> [Verdict] {
        let logs = try db.run(
            "SELECT log_id, host, head_seq, head_hash, verifier, checkpoint FROM pkgtrail.host_log ORDER BY host")
        var verdicts: [Verdict] = []
        for log in logs {
            let (id, host, headSeq, headHash, verifierText, note) = try log.decode(
                (Int64, String, Int64, ByteBuffer, String, String?).self)
            var chain = ChainVerifier()
            var broken = false
            var problems: [String] = []
            var vouched: [UInt8]?
            var checkpoint: Checkpoint?
            if let note {
                do {
                    let verifier = try SignedNote.Verifier(encoded: verifierText)
                    checkpoint = try Checkpoint(text: try verifier.open(note))
                } catch {
                    problems.append("the stored checkpoint does not verify with the bound key: \(error)")
                }
            }
            var last: Int64 = 0
            var offset: Int64 = 0
            let page: Int64 = 5_000
            while true {
                let rows = try db.run(
                    """
                    SELECT seq, prev_hash, hash, body FROM pkgtrail.event
                    WHERE log_id = \(id) AND seq > \(offset) ORDER BY seq LIMIT \(page)
                    """)
                for row in rows {
                    let (seq, prev, hash, body) = try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer).self)
                    let record = StoredRecord(
                        seq: seq, prevHash: Array(prev.readableBytesView), hash: Array(hash.readableBytesView),
                        body: Array(body.readableBytesView))
                    if !broken {
                        do { try chain.feed(record) } catch {
                            problems.append("\(error)")
                            broken = true
                        }
                    }
                    if seq == checkpoint?.size { vouched = record.hash }
                    last = seq
                }
                guard rows.count == Int(page) else { break }
                offset = last
            }
            if !broken, last != headSeq || (last > 0 && chain.head != Array(headHash.readableBytesView)) {
                problems.append("the stored head (\(headSeq)) is not where the stored chain ends (\(last))")
            }
            if let checkpoint {
                if vouched != checkpoint.head {
                    problems.append(
                        "the stored checkpoint vouches for event \(checkpoint.size) with another hash than the chain's")
                }
            }
            verdicts.append(
                Verdict(
                    host: host, events: last, problems: problems,
                    checkpointSize: problems.isEmpty ? checkpoint?.size : nil))
        }
        return verdicts
    }
}
