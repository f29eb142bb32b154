import PkgtrailAdvisories
import PkgtrailCommandLine
import PkgtrailCore

/// `audit` as text, a part at a time (`AuditAnswer`): each record's lines
/// are made once, from its stored body (`RecordFacts`), on whichever core
/// writes the run; each finding is its headline, its advisories and its window.
struct AuditText: AuditFormat {
    /// `--local`: times in the local time zone.
    let local: Bool

    func run(_ records: Range<Int>, of plan: AuditPlan, from events: StoredEvents) throws -> [RecordLines] {
        // A clock of its own: a local one formats with ICU, one thread at a time.
        let clock = TimeText(local: local)
        return try events.bytes.withUnsafeBufferPointer { all in
            try records.map { k in
                let key = plan.keys[k]
                let place = try events.place(of: key.event)
                // Read in place: the record is all the answer wants of the event.
                let facts = try RecordFacts(body: UnsafeBufferPointer(rebasing: all[place.body]), name: key.name)
                return RecordLines(facts, clock: clock, opens: plan.opens[k])
            }
        }
    }

    func record(_ i: Int, of run: [RecordLines]) -> RecordLines { run[i] }

    func kept(_ record: RecordLines) -> RecordLines { record }

    func findings(
        _ range: Range<Int>, of hits: [AdvisoryAudit.Hit], _ uses: [(arrival: Int, departure: Int?)],
        _ record: (Int) -> RecordLines
    ) throws -> [UInt8] {
        let clock = TimeText(local: local)
        var text: [UInt8] = []
        text.reserveCapacity(range.count * 1024)
        func add(_ line: String) {
            text += line.utf8
            text.append(UInt8(ascii: "\n"))
        }
        // The findings of one version share their advisories.
        var advisories: [String: [String]] = [:]
        for i in range {
            let (hit, w) = (hits[i], hits[i].window)
            let version = w.name + "\u{0}" + w.version
            let listed = advisories[version] ?? Self.advisories(hit)
            advisories[version] = listed
            let word = hit.malicious ? Colour.paint("MALICIOUS", .alarm) : Colour.paint("AFFECTED", .warning) + " "
            add(word + Terminal.safe("  \(w.name) \(w.version)  on \(w.host)  in \(w.prefix)"))
            listed.forEach(add)
            let window = PresenceText.lines(
                arrival: record(uses[i].arrival), departure: uses[i].departure.map(record), clock: clock)
            window.forEach(add)
        }
        return text
    }

    /// A line for each incident that names the finding's version.
    static func advisories(_ hit: AdvisoryAudit.Hit) -> [String] {
        hit.incidents.map { i in
            let severity = i.severity.map { " [\($0)]" } ?? ""
            return Terminal.safe("  advisory \(i.ids.joined(separator: " = "))\(severity): \(i.summary ?? "")")
        }
    }
}
