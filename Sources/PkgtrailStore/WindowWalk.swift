import Dispatch
import GRDB
import PkgtrailCore
import PkgtrailSystem

/// The presence windows of many names from the name index alone: what an
/// audit selects before it reads any body. One walk of each name's entries
/// in `change_by_name`, which holds action and versions (migration 5), by
/// environment then seq: an entry that left a matching version opens a
/// window, the next entry in its environment ends it. No change row is
/// read, and each version is tested once.
extension TrailStore {
    public func windows(
        names: [String], within filter: EventFilter, matches: @Sendable (_ name: String, _ version: String) -> Bool
    ) throws -> [Window] {
        try wrap {
            // An audit asks about hundreds of names, one of them with tens of
            // thousands of changes: two readers, each on its own connection,
            // take the names one at a time, so both cores walk.
            // A second connection that cannot be opened only costs the second core.
            let partner = names.count > 1 ? try? reader() : nil
            let spans = try withoutActuallyEscaping(matches) { matches in
                let work = NameQueue(names: names, matches: matches)
                let helper = partner.map { q in Prefetch { try q.read { db in try Self.walk(db, work, filter) } } }
                // The helper uses `matches`: it must be done, and the queue
                // must have let go of `matches`, before this returns, even by a throw.
                defer {
                    _ = try? helper?.get()
                    work.finish()
                }
                var found = try queue.read { db in try Self.walk(db, work, filter) }
                if let helper { found += try helper.get() }
                return found.sorted { $0.name < $1.name }
            }
            // The times of every window at once, in seq order, each reader
            // half of the seqs: each page of the summaries is read once, by
            // one of them (both reading all of them was most of the walk).
            let seqs = Array(Set(spans.flatMap { $0.spans.flatMap { [$0.since] + ($0.until.map { [$0] } ?? []) } }))
                .sorted()
            let half = partner == nil ? seqs.count : seqs.count / 2
            let later = partner.map { q in
                Prefetch { try q.read { db in try Self.times(db, seqs: Array(seqs[half...])) } }
            }
            defer { _ = try? later?.get() }
            var times = try queue.read { db in try Self.times(db, seqs: Array(seqs[..<half])) }
            if let later { times.merge(try later.get()) { a, _ in a } }
            return try queue.read { db in try Self.windows(db, names, spans, times, filter) }
        }
    }

    /// Names taken one at a time by either reader; versions tested by both at once.
    private final class NameQueue: @unchecked Sendable {
        let names: [String]
        private var matches: (@Sendable (String, String) -> Bool)?
        private let lock = DispatchSemaphore(value: 1)
        private var next = 0

        init(names: [String], matches: @escaping @Sendable (String, String) -> Bool) {
            self.names = names
            self.matches = matches
        }

        func take() -> Int? {
            lock.wait()
            defer { lock.signal() }
            guard next < names.count else { return nil }
            next += 1
            return next - 1
        }

        /// Only while both readers walk: `finish` is called after them.
        func test(_ name: String, _ version: String) -> Bool { matches!(name, version) }

        /// Both readers are done: the caller's closure is let go.
        func finish() {
            lock.wait()
            matches = nil
            lock.signal()
        }
    }

    private typealias Span = (env: Int64, since: Int64, version: String, until: Int64?)

    /// The spans of the names this reader takes, by the name's place in the list.
    private static func walk(_ db: Database, _ work: NameQueue, _ filter: EventFilter) throws
        -> [(name: Int, spans: [Span])]
    {
        var environments = FilterSQL()
        environments.environment(filter, column: "env")
        let walk = try db.cachedStatement(
            sql: "SELECT env, seq, action, to_version FROM change INDEXED BY change_by_name WHERE name = ? "
                + (environments.clauses.isEmpty ? "" : "AND \(environments.conjunction) ") + "ORDER BY env, seq")
        var spans: [(name: Int, spans: [Span])] = []
        while let k = work.take() {
            let name = work.names[k]
            var verdicts: [String: Bool] = [:]
            var mine: [Span] = []
            var open: Int?
            try SQLiteSteps.each(walk, StatementArguments([name] + environments.values)) { row in
                let env = row.int64(0)
                let seq = row.int64(1)
                if let o = open, mine[o].env == env { mine[o].until = seq }
                open = nil
                guard let version = row.text(3), !row.text(2, equals: "remove") else { return }
                let matched =
                    verdicts[version]
                    ?? {
                        let tested = work.test(name, version)
                        verdicts[version] = tested
                        return tested
                    }()
                if matched {
                    mine.append((env, seq, version, nil))
                    open = mine.count - 1
                }
            }
            mine.sort { $0.since < $1.since }
            // Without a time range the newest windows are the last to open:
            // only they are looked up.
            if let limit = filter.limit, filter.since == nil, filter.until == nil { mine = Array(mine.suffix(limit)) }
            if !mine.isEmpty { spans.append((k, mine)) }
        }
        return spans
    }

    /// The spans made windows, with their places and times, as the filter selects them.
    private static func windows(
        _ db: Database, _ names: [String], _ spans: [(name: Int, spans: [Span])],
        _ times: [Int64: (started: String, finished: String)], _ filter: EventFilter
    ) throws -> [Window] {
        func time(_ seq: Int64) throws -> (started: String, finished: String) {
            guard let t = times[seq] else {
                throw StoreError(.corrupt, "event \(seq) has no summary: run `pkgtrail verify`")
            }
            return t
        }
        var places: [Int64: (host: String, prefix: String)] = [:]
        let environment = try db.cachedStatement(sql: "SELECT host, prefix FROM environment WHERE id = ?")
        return try spans.flatMap { k, spans in
            let windows = try spans.map { s in
                if places[s.env] == nil {
                    guard let row = try Row.fetchOne(environment, arguments: [s.env]) else {
                        throw StoreError(.corrupt, "environment \(s.env) is missing: run `pkgtrail verify`")
                    }
                    places[s.env] = (row[0], row[1])
                }
                let (host, prefix) = places[s.env]!
                return Window(
                    name: names[k], version: s.version, host: host, prefix: prefix, log: 0, since: s.since,
                    until: s.until, started: try time(s.since).started, ended: try s.until.map { try time($0).finished }
                )
            }
            return filter.select(windows)
        }
    }

    /// When each of the events started and finished, from their summaries.
    private static func times(_ db: Database, seqs: [Int64]) throws -> [Int64: (started: String, finished: String)] {
        var times: [Int64: (started: String, finished: String)] = Dictionary(minimumCapacity: seqs.count)
        try SQLiteSteps.each(db, "SELECT seq, started, finished FROM event_summary", seqs: seqs) { row in
            times[row.int64(0)] = (row.text(1) ?? "", row.text(2) ?? "")
        }
        return times
    }
}
