import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

/// `audit --json`: a hundred thousand findings, 200 MB, written a part at a
/// time (`AuditAnswer`). A run of records is written into one buffer,
/// straight from the stored bodies (`RecordJSON.writeChange`); a run of
/// findings is put together from their text, checked for C1 controls as
/// one text, and written out by a thread of its own.
struct AuditJSON: AuditFormat {
    /// A run of records written into one buffer.
    struct Run: Sendable {
        let bytes: [UInt8]
        let changes: [RecordJSON.WrittenChange]
    }

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
        try AuditAnswer.write(hits, audit, as: AuditJSON(), partSize: partSize, emit)
    }

    func run(_ records: Range<Int>, of plan: AuditPlan, from events: StoredEvents) throws -> Run {
        var w = JSONWriter(capacity: records.count * 1536)
        let changes = try events.bytes.withUnsafeBufferPointer { all in
            try plan.keys[records].map { key in
                let place = try events.place(of: key.event)
                return try RecordJSON.writeChange(
                    body: UnsafeBufferPointer(rebasing: all[place.body]),
                    hash: UnsafeBufferPointer(rebasing: all[place.hash]), .name(key.name), into: &w)
            }
        }
        return Run(bytes: w.bytes, changes: changes)
    }

    func record(_ i: Int, of run: Run) -> RecordJSON.ChangeText { run.changes[i].text(in: run.bytes) }

    /// Copies of its own: a run's buffer is let go with its part.
    func kept(_ t: RecordJSON.ChangeText) -> RecordJSON.ChangeText {
        RecordJSON.ChangeText(
            record: Array(t.record)[...], windowStart: Array(t.windowStart)[...], finished: Array(t.finished)[...])
    }

    func findings(
        _ range: Range<Int>, of hits: [AdvisoryAudit.Hit], _ uses: [(arrival: Int, departure: Int?)],
        _ record: (Int) -> RecordJSON.ChangeText
    ) throws -> [UInt8] {
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
                arrival: record(use.arrival), departure: use.departure.map(record),
                extra: [("advisories", listed), ("malicious", hit.malicious ? Self.yes : Self.no)], into: &w)
        }
        return ControlCharacters.escapedInJSON(w.bytes)
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
