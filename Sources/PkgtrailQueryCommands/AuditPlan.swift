import PkgtrailAdvisories
import PkgtrailCore

/// Which change records an audit's findings name and which part first and
/// last needs each. Records are numbered in the order they are first named,
/// so the records a part writes are a run of numbers; a record a later part
/// names again (a window's departure is often another window's arrival,
/// parts apart: the malicious findings come first) is kept until its last use.
struct AuditPlan: Sendable {
    /// A change of an event as one record names it.
    struct RecordKey: Hashable, Sendable {
        let event: StoredEvents.Key
        let name: String
    }

    private(set) var keys: [RecordKey] = []
    /// Whether each record opens some window (else it only ends windows,
    /// and a text answer shows its headline alone).
    private(set) var opens: [Bool] = []
    /// The last part that names each record.
    private(set) var lastPart: [Int] = []
    /// The records each finding names: where its window opened and ended.
    private(set) var uses: [(arrival: Int, departure: Int?)] = []
    /// The first record each part writes (and, last, the count of all).
    private var firstOfPart: [Int] = []
    /// The records each part names last.
    private(set) var expiring: [[Int]] = []

    init(_ hits: [AdvisoryAudit.Hit], partSize: Int) {
        var numbers: [RecordKey: Int] = Dictionary(minimumCapacity: hits.count * 2)
        uses.reserveCapacity(hits.count)
        for (i, h) in hits.enumerated() {
            let part = i / partSize
            if i % partSize == 0 { firstOfPart.append(keys.count) }
            func number(_ seq: Int64, opening: Bool) -> Int {
                let key = RecordKey(event: .init(log: h.window.log, seq: seq), name: h.window.name)
                let k =
                    numbers[key]
                    ?? {
                        keys.append(key)
                        opens.append(false)
                        lastPart.append(part)
                        numbers[key] = keys.count - 1
                        return keys.count - 1
                    }()
                lastPart[k] = part
                if opening { opens[k] = true }
                return k
            }
            uses.append((number(h.window.since, opening: true), h.window.until.map { number($0, opening: false) }))
        }
        firstOfPart.append(keys.count)
        expiring = Array(repeating: [], count: firstOfPart.count - 1)
        for k in keys.indices { expiring[lastPart[k]].append(k) }
    }

    /// The records part `part` names first.
    func records(of part: Int) -> Range<Int> { firstOfPart[part]..<firstOfPart[part + 1] }
}
