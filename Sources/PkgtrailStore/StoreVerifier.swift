import Foundation
import GRDB
import PkgtrailCore

/// The result of `verify`: intact, or the first problem found and why.
public struct VerifyReport: Sendable {
    public enum Problem: Sendable, CustomStringConvertible {
        case chain(ChainVerifier.Break)
        case truncated(lastSeq: Int64, highestWritten: Int64)
        case trigger(String)
        case projection(seq: Int64, String)

        public var description: String {
            switch self {
            case .chain(let b): return b.description
            case .truncated(let last, let highest):
                return "seq \(last + 1): missing: events \(last + 1)…\(highest) were written and then deleted "
                    + "from the end"
            case .trigger(let t): return "append-only protection: \(t)"
            case .projection(let seq, let why): return "seq \(seq): projection mismatch: \(why)"
            }
        }

        /// The seq a reader should look at first, where there is one.
        public var seq: Int64? {
            switch self {
            case .chain(let b): return b.seq
            case .truncated(let last, _): return last + 1
            case .trigger: return nil
            case .projection(let seq, _): return seq
            }
        }
    }

    public let count: Int64
    public let head: [UInt8]
    public let problems: [Problem]
    /// False for a log whose query tables predate this pkgtrail (read-only
    /// here, so not upgraded): its chain and triggers were checked, its
    /// projections not.
    public let projectionsChecked: Bool
    public var intact: Bool { problems.isEmpty }
}

extension TrailStore {
    /// Recomputes the chain from the stored bytes, then checks the
    /// append-only triggers and that the projections match the bodies.
    /// `progress`: events checked so far, and how many there are (called once per batch of 1,024).
    public func verify(progress: ((_ done: Int64, _ total: Int64) -> Void)? = nil) throws -> VerifyReport {
        do {
            return try queue.read { db in
                var problems: [VerifyReport.Problem] = []
                var verifier = ChainVerifier()
                // Migration 4 gave the projections their present shape; an
                // older log read-only here keeps the old one, which nothing reads.
                let projections = try Schema.hasEnvironmentIDs(db) ? try ProjectionChecker(db: db) : nil
                let rows = try Row.fetchCursor(db, sql: "SELECT seq, prev_hash, hash, body FROM event ORDER BY seq")
                func readBatch() throws -> [StoredRecord] {
                    var batch: [StoredRecord] = []
                    batch.reserveCapacity(DecodedBatch.size)
                    while batch.count < DecodedBatch.size, let row = try rows.next() {
                        batch.append(
                            StoredRecord(
                                seq: row[0], prevHash: [UInt8](row[1] as Data? ?? Data()),
                                hash: [UInt8](row[2] as Data? ?? Data()), body: [UInt8](row[3] as Data? ?? Data())))
                    }
                    return batch
                }
                // Batches of 1,024 are decoded on other threads (three ahead) while this one
                // reads rows, hashes and compares, in seq order.
                var ahead: [DecodedBatch] = []
                func refill() throws {
                    while ahead.count < 3, let next = DecodedBatch.start(try readBatch()) { ahead.append(next) }
                }
                try refill()
                // The highest seq ever written (AUTOINCREMENT keeps it): the progress line's end, and what a
                // truncated log falls short of.
                let total = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event'") ?? 0
                var projectionsAgree = true
                chain: while !ahead.isEmpty {
                    let current = ahead.removeFirst()
                    try refill()
                    current.done.wait()
                    for (i, r) in current.rows.enumerated() {
                        do {
                            try verifier.feed(r, header: current.headers[i])
                        } catch let b as ChainVerifier.Break {
                            problems.append(.chain(b))
                            break chain
                        }
                        // After the first mismatch the ordered cursors no longer line up.
                        if projectionsAgree, let p = try projections?.check(seq: r.seq, expected: current.expected[i]) {
                            problems.append(p)
                            projectionsAgree = false
                        }
                    }
                    progress?(verifier.count, total)
                }
                for b in ahead { b.done.wait() }  // never leave a decode running past the read transaction
                if problems.isEmpty {
                    if let p = try projections?.finish(lastSeq: verifier.count) { problems.append(p) }
                    // `total` is the highest seq ever written: rows past the last one read were deleted.
                    if total > verifier.count {
                        problems.append(.truncated(lastSeq: verifier.count, highestWritten: total))
                    }
                }
                problems.append(contentsOf: try Self.checkTriggers(db))
                return VerifyReport(
                    count: verifier.count, head: verifier.head, problems: problems,
                    projectionsChecked: projections != nil)
            }
        } catch let e as DatabaseError {
            throw Self.classify(e, path: path)
        }
    }

    static func checkTriggers(_ db: Database) throws -> [VerifyReport.Problem] {
        let stored = try Row.fetchAll(
            db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'")
        var found: [String: String] = [:]
        for row in stored { found[row["name"]] = row["sql"] }
        var problems: [VerifyReport.Problem] = []
        let expected = try Schema.triggers(db)
        for (name, trigger) in expected.sorted(by: { $0.key < $1.key }) {
            switch found[name] {
            case nil: problems.append(.trigger("trigger \(name) is missing: \(trigger.guards)"))
            case let s? where s != trigger.sql: problems.append(.trigger("trigger \(name) was altered"))
            default: break
            }
        }
        for name in found.keys.sorted() where expected[name] == nil {
            problems.append(.trigger("unexpected trigger \(name) on the event table"))
        }
        return problems
    }
}

/// Bodies parsed and their projections computed off the database thread:
/// verify is bound by JSON decoding, not by SHA-256, and there are two cores.
final class DecodedBatch: @unchecked Sendable {
    static let size = 1024
    let rows: [StoredRecord]
    private(set) var headers: [ChainVerifier.Header?] = []
    private(set) var expected: [Projection?] = []
    let done = DispatchSemaphore(value: 0)

    private init(rows: [StoredRecord]) { self.rows = rows }

    static func start(_ rows: [StoredRecord]) -> DecodedBatch? {
        guard !rows.isEmpty else { return nil }
        let batch = DecodedBatch(rows: rows)
        DispatchQueue.global().async {
            // The JSON trees live and die on this thread: freeing them on the
            // other one cost as much as building them (allocator arenas).
            for row in batch.rows {
                let parsed = try? JSONParser.parse(row.body)
                batch.headers.append(ChainVerifier.header(parsed))
                batch.expected.append(parsed.flatMap { try? Event(json: $0) }.map(Projection.init))
            }
            batch.done.signal()
        }
        return batch
    }
}

/// Walks the projection tables in step with the events (ordered cursors),
/// so checking a large log needs no per-event query. Environment ids are
/// resolved through the environment table, read whole first (one row per
/// environment): each must name one (host, prefix), and each must be used.
final class ProjectionChecker {
    private let summaries: RowCursor
    private let changes: RowCursor
    private var pendingChange: (Projection.ChangeRow, environmentID: Int64)?
    private var environments: [Int64: EnvironmentKey] = [:]
    private var unused: Set<Int64>
    /// A problem of the environment table itself, reported with the first event.
    private var duplicate: String?

    init(db: Database) throws {
        var seen: [EnvironmentKey: Int64] = [:]
        for (id, env) in try EnvironmentTable.all(db) {
            if let other = seen.updateValue(id, forKey: env), duplicate == nil {
                duplicate = "environment ids \(other) and \(id) both name \(env.prefix) on \(env.host)"
            }
            environments[id] = env
        }
        unused = Set(environments.keys)
        summaries = try Row.fetchCursor(db, sql: "SELECT \(Projection.summaryColumns) FROM event_summary ORDER BY seq")
        changes = try Row.fetchCursor(db, sql: "SELECT \(Projection.changeColumns) FROM change ORDER BY seq, idx")
    }

    func check(seq: Int64, expected: Projection?) throws -> VerifyReport.Problem? {
        if let duplicate { return .projection(seq: seq, duplicate) }
        guard let expected else { return .projection(seq: seq, "the body does not decode as an event") }
        guard let row = try summaries.next() else { return .projection(seq: seq, "its summary row is missing") }
        let rowSeq: Int64 = row[0]
        let environmentID: Int64 = row[5]
        if rowSeq != seq { return .projection(seq: min(seq, rowSeq), "summary rows do not line up with events") }
        guard let key = environments[environmentID] else {
            return .projection(seq: seq, "its environment id \(environmentID) is not in the environment table")
        }
        unused.remove(environmentID)
        if Projection.summary(from: row, in: key) != expected.summary {
            return .projection(seq: seq, "the summary row differs from the body")
        }
        for want in expected.changes {
            guard let got = try nextChange() else {
                return .projection(seq: seq, "change \(want.idx) (\(want.name)) is missing")
            }
            if got.0 != want || got.environmentID != environmentID {
                return .projection(
                    seq: min(seq, got.0.seq), "change row \(got.0.seq)/\(got.0.idx) differs from the body")
            }
        }
        if let extra = try peekChange(), extra.0.seq == seq {
            return .projection(seq: seq, "an extra change row \(extra.0.idx) (\(extra.0.name)) is not in the body")
        }
        return nil
    }

    func finish(lastSeq: Int64) throws -> VerifyReport.Problem? {
        if let duplicate { return .projection(seq: lastSeq, duplicate) }
        if let row = try summaries.next() {
            return .projection(seq: row[0], "a summary row has no event")
        }
        if let c = try peekChange() { return .projection(seq: c.0.seq, "a change row has no event") }
        if let id = unused.min(), let env = environments[id] {
            return .projection(seq: lastSeq, "environment id \(id) (\(env.prefix) on \(env.host)) has no event")
        }
        return nil
    }

    private func peekChange() throws -> (Projection.ChangeRow, environmentID: Int64)? {
        if pendingChange == nil, let row = try changes.next() { pendingChange = Projection.change(from: row) }
        return pendingChange
    }

    private func nextChange() throws -> (Projection.ChangeRow, environmentID: Int64)? {
        let c = try peekChange()
        pendingChange = nil
        return c
    }
}
