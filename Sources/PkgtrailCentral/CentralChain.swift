import NIOCore
import PkgtrailCore
import PostgresNIO

/// One host's log in the central store, read as a chain: what an export of
/// it needs (its acknowledged head, the seq range of a time window, its rows
/// in seq order as stored), so it exports exactly as the host's own log does.
struct CentralChain: ChainReading {
    let db: CentralConnection
    let log: Int64

    func head() throws -> (seq: Int64, hash: [UInt8]) {
        guard let row = try db.run("SELECT head_seq, head_hash FROM pkgtrail.host_log WHERE log_id = \(log)").first
        else { return (0, Chain.genesis) }
        let (seq, hash) = try row.decode((Int64, ByteBuffer).self)
        return (seq, Array(hash.readableBytesView))
    }

    func seqRange(since: String?, until: String?) throws -> ClosedRange<Int64>? {
        let row = try db.run(
            """
            SELECT min(seq), max(seq) FROM pkgtrail.event_summary
            WHERE log_id = \(log) AND (\(since)::text IS NULL OR finished >= \(since)::text)
              AND (\(until)::text IS NULL OR started < \(until)::text)
            """
        ).first
        guard let (lo, hi) = try row?.decode((Int64?, Int64?).self), let lo, let hi else { return nil }
        return lo...hi
    }

    func eachStored(_ filter: EventFilter, _ body: (StoredRecord) throws -> Void) throws {
        var from = filter.minSeq ?? 1
        let page: Int64 = 1_000
        while true {
            var slice = filter
            slice.minSeq = from
            let rows = try db.run(
                CentralFilterSQL(slice, log: log).query(
                    select: "e.seq, e.prev_hash, e.hash, e.body", orderBy: "s.seq", limit: Int(page)))
            for row in rows {
                let (seq, prev, hash, stored) = try row.decode((Int64, ByteBuffer, ByteBuffer, ByteBuffer).self)
                try body(
                    StoredRecord(
                        seq: seq, prevHash: Array(prev.readableBytesView), hash: Array(hash.readableBytesView),
                        body: Array(stored.readableBytesView)))
                from = seq + 1
            }
            if rows.count < Int(page) { return }
        }
    }
}
