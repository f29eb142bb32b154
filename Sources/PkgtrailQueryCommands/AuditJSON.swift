import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

/// `audit --json`, a part at a time: a hundred thousand findings, 200 MB.
/// Each change record of the part is written once (a window's departure is
/// often the next window's arrival), on every core, a run of records into
/// one buffer; the findings are then put together from them, again a run
/// into one buffer on every core, checked for C1 controls as one text, and
/// printed in order. A buffer per record, and per finding, was most of the
/// time: the memory to find, fill and free.
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

    private static let run = 256

    static func print(
        _ part: ArraySlice<AdvisoryAudit.Hit>, _ events: StoredEvents, to printer: inout JSONArrayPrinter
    ) throws {
        let hits = Array(part)
        var slots: [RecordKey: Int] = Dictionary(minimumCapacity: hits.count * 2)
        var keys: [RecordKey] = []
        func slot(_ seq: Int64, _ w: Window) -> Int {
            let key = RecordKey(event: .init(log: w.log, seq: seq), name: w.name)
            if let k = slots[key] { return k }
            keys.append(key)
            slots[key] = keys.count - 1
            return keys.count - 1
        }
        let uses = hits.map { h in
            (arrival: slot(h.window.since, h.window), departure: h.window.until.map { slot($0, h.window) })
        }
        let records = keys
        var written: [Written] = []
        written.reserveCapacity(records.count / run + 1)
        try ParallelMap.chunks(
            records.count, chunk: run,
            { range in
                var w = JSONWriter(capacity: range.count * 1536)
                let changes = try events.bytes.withUnsafeBufferPointer { all in
                    try range.map { k in
                        let key = records[k]
                        guard let place = events[key.event] else {
                            throw PkgtrailError(.corrupt, "event \(key.event.seq) was not read: run `pkgtrail verify`")
                        }
                        return try RecordJSON.writeChange(
                            body: UnsafeBufferPointer(rebasing: all[place.body]),
                            hash: UnsafeBufferPointer(rebasing: all[place.hash]),
                            .name(key.name), into: &w)
                    }
                }
                return Written(bytes: w.bytes, changes: changes)
            }, consume: { written.append($0) })
        let texts = written
        @Sendable func text(_ k: Int) -> RecordJSON.ChangeText {
            let run = texts[k / Self.run]
            return run.changes[k % Self.run].text(in: run.bytes)
        }
        try ParallelMap.chunks(
            hits.count, chunk: run,
            { range in
                var w = JSONWriter(capacity: range.count * 2560)
                // The findings of one version share their advisories.
                var advisories: [String: [UInt8]] = [:]
                for i in range {
                    let (hit, use) = (hits[i], uses[i])
                    let window = hit.window
                    let version = window.name + "\u{0}" + window.version
                    let listed = try advisories[version] ?? Self.advisories(hit)
                    advisories[version] = listed
                    if i != range.lowerBound { w.raw([UInt8(ascii: ","), UInt8(ascii: "\n")]) }
                    RecordJSON.presence(
                        name: window.name, version: window.version, host: window.host, prefix: window.prefix,
                        arrival: text(use.arrival), departure: use.departure.map(text),
                        extra: [("advisories", listed), ("malicious", hit.malicious ? Self.yes : Self.no)], into: &w)
                }
                return (ControlCharacters.escapedInJSON(w.bytes), range.count)
            }, consume: { printer.add(escapedRun: $0.0, elements: $0.1) })
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
