import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

/// `audit --json`: a hundred thousand findings, 200 MB, written a part at a
/// time. Each change record is written once for the whole answer, though a
/// window's departure is often another window's arrival, parts apart (the
/// malicious findings come first): a record still needed by a later part is
/// kept until its last use, and its event is read once. A part's new
/// records are written on every core, a run of them into one buffer; its
/// findings are then put together from them, again a run into one buffer
/// on every core, checked for C1 controls as one text, and printed in
/// order. The next part's events are read meanwhile.
enum AuditJSON {
    /// A change of an event as one record names it.
    private struct RecordKey: Hashable, Sendable {
        let event: StoredEvents.Key
        let name: String
    }

    /// A run of records written into one buffer.
    private struct Written: Sendable {
        let bytes: [UInt8]
        let changes: [RecordJSON.WrittenChange]
    }

    /// Which records each finding names and which part first and last needs
    /// each record. Records are numbered in the order they are first named,
    /// so the records a part writes are a run of numbers.
    private struct Plan {
        var keys: [RecordKey] = []
        var lastPart: [Int] = []
        var uses: [(arrival: Int, departure: Int?)] = []
        /// The first record each part writes (and, last, the count of all).
        var firstOfPart: [Int] = []
        /// The records each part names last.
        var expiring: [[Int]] = []

        init(_ hits: [AdvisoryAudit.Hit], partSize: Int) {
            var numbers: [RecordKey: Int] = Dictionary(minimumCapacity: hits.count * 2)
            uses.reserveCapacity(hits.count)
            for (i, h) in hits.enumerated() {
                let part = i / partSize
                if i % partSize == 0 { firstOfPart.append(keys.count) }
                func number(_ seq: Int64) -> Int {
                    let key = RecordKey(event: .init(log: h.window.log, seq: seq), name: h.window.name)
                    let k =
                        numbers[key]
                        ?? {
                            keys.append(key)
                            lastPart.append(part)
                            numbers[key] = keys.count - 1
                            return keys.count - 1
                        }()
                    lastPart[k] = part
                    return k
                }
                uses.append((number(h.window.since), h.window.until.map(number)))
            }
            firstOfPart.append(keys.count)
            expiring = Array(repeating: [], count: firstOfPart.count - 1)
            for k in keys.indices { expiring[lastPart[k]].append(k) }
        }

        func records(of part: Int) -> Range<Int> { firstOfPart[part]..<firstOfPart[part + 1] }
    }

    private static let run = 256

    static func print(_ hits: [AdvisoryAudit.Hit], _ audit: AdvisoryAudit) throws {
        let output = BackgroundJSONArray()
        defer { output.wait() }
        try write(hits, audit) { output.add(escapedRun: $0, elements: $1) }
        output.finish()
    }

    /// The findings in order, as runs of escaped elements joined by `,` and a newline.
    static func write(
        _ hits: [AdvisoryAudit.Hit], _ audit: AdvisoryAudit, partSize: Int = 4096,
        _ emit: (_ run: [UInt8], _ elements: Int) throws -> Void
    ) throws {
        // The first part's events are read while the plan is made: every
        // record the first part names is new.
        let planning = Prefetch { Plan(hits, partSize: partSize) }
        let parts = (hits.count + partSize - 1) / partSize
        /// Records written by earlier parts that later ones still name.
        var kept: [Int: RecordJSON.ChangeText] = [:]
        try Prefetch<StoredEvents>.eachPart(
            parts,
            read: { p in
                // The engines read each event once however often it is named.
                guard p > 0 else {
                    return try audit.storedEvents(
                        hits.prefix(partSize).flatMap { h in
                            ([h.window.since] + (h.window.until.map { [$0] } ?? [])).map {
                                StoredEvents.Key(log: h.window.log, seq: $0)
                            }
                        })
                }
                let plan = try planning.get()
                return try audit.storedEvents(plan.records(of: p).map { plan.keys[$0].event })
            },
            use: { p, events in
                let plan = try planning.get()
                let keys = plan.keys
                let fresh = plan.records(of: p)
                let written = try write(fresh, of: keys, from: events)
                let earlier = kept
                @Sendable func text(_ k: Int) -> RecordJSON.ChangeText {
                    guard fresh.contains(k) else { return earlier[k]! }
                    let r = written[(k - fresh.lowerBound) / Self.run]
                    return r.changes[(k - fresh.lowerBound) % Self.run].text(in: r.bytes)
                }
                let first = p * partSize
                try findings(first..<min(first + partSize, hits.count), of: hits, plan.uses, text, emit)
                // Kept as copies of their own: a run's buffer is let go with its part.
                for k in fresh where plan.lastPart[k] > p {
                    let t = text(k)
                    kept[k] = RecordJSON.ChangeText(
                        record: Array(t.record)[...], windowStart: Array(t.windowStart)[...],
                        finished: Array(t.finished)[...])
                }
                for k in plan.expiring[p] { kept[k] = nil }
            })
    }

    /// The records numbered `range`, a run at a time on every core.
    private static func write(_ range: Range<Int>, of keys: [RecordKey], from events: StoredEvents) throws
        -> [Written]
    {
        var written: [Written] = []
        written.reserveCapacity(range.count / run + 1)
        try ParallelMap.chunks(
            range.count, chunk: run,
            { r in
                var w = JSONWriter(capacity: r.count * 1536)
                let changes = try events.bytes.withUnsafeBufferPointer { all in
                    try r.map { i in
                        let key = keys[range.lowerBound + i]
                        guard let place = events[key.event] else {
                            throw PkgtrailError(.corrupt, "event \(key.event.seq) was not read: run `pkgtrail verify`")
                        }
                        return try RecordJSON.writeChange(
                            body: UnsafeBufferPointer(rebasing: all[place.body]),
                            hash: UnsafeBufferPointer(rebasing: all[place.hash]), .name(key.name), into: &w)
                    }
                }
                return Written(bytes: w.bytes, changes: changes)
            }, consume: { written.append($0) })
        return written
    }

    /// The findings `range`, a run at a time on every core, printed in order.
    private static func findings(
        _ range: Range<Int>, of hits: [AdvisoryAudit.Hit], _ uses: [(arrival: Int, departure: Int?)],
        _ text: @escaping @Sendable (Int) -> RecordJSON.ChangeText, _ emit: ([UInt8], Int) throws -> Void
    ) throws {
        let uses = uses[range]
        try ParallelMap.chunks(
            range.count, chunk: run,
            { r in
                var w = JSONWriter(capacity: r.count * 2560)
                // The findings of one version share their advisories.
                var advisories: [String: [UInt8]] = [:]
                for i in r {
                    let (hit, use) = (hits[range.lowerBound + i], uses[range.lowerBound + i])
                    let window = hit.window
                    let version = window.name + "\u{0}" + window.version
                    let listed = try advisories[version] ?? Self.advisories(hit)
                    advisories[version] = listed
                    if i != r.lowerBound { w.raw([UInt8(ascii: ","), UInt8(ascii: "\n")]) }
                    RecordJSON.presence(
                        name: window.name, version: window.version, host: window.host, prefix: window.prefix,
                        arrival: text(use.arrival), departure: use.departure.map(text),
                        extra: [("advisories", listed), ("malicious", hit.malicious ? Self.yes : Self.no)], into: &w)
                }
                return (ControlCharacters.escapedInJSON(w.bytes), r.count)
            }, consume: { try emit($0.0, $0.1) })
    }

    private static let yes = Array("true".utf8)
    private static let no = Array("false".utf8)

    private static func advisories(_ hit: AdvisoryAudit.Hit) throws -> [UInt8] {
        try CanonicalJSON.encode(
            .array(
                hit.incidents.map { i in
                    .object([
                        "ids": .strings(i.ids), "malicious": .bool(i.malicious), "severity": .optional(i.severity),
                        "summary": .optional(i.summary)
                    ])
                }))
    }
}
