import PkgtrailAdvisories
import PkgtrailCore
import PkgtrailSystem

/// How an audit's answer is written: each change record once, a run of
/// them together, then each finding from the records its window names.
protocol AuditFormat: Sendable {
    /// Records written together (JSON: into one buffer).
    associatedtype Run: Sendable
    /// One record as findings use it.
    associatedtype Record: Sendable

    /// The plan's records `records`, from the part's events.
    func run(_ records: Range<Int>, of plan: AuditPlan, from events: StoredEvents) throws -> Run
    /// The `i`th record of a run.
    func record(_ i: Int, of run: Run) -> Record
    /// A record that outlives its run: a later part names it again.
    func kept(_ record: Record) -> Record
    /// The findings `range`, as one text ready to print.
    func findings(
        _ range: Range<Int>, of hits: [AdvisoryAudit.Hit], _ uses: [(arrival: Int, departure: Int?)],
        _ record: (Int) -> Record
    ) throws -> [UInt8]
}

/// An audit's answer, a hundred thousand findings, written a part at a time
/// in either format. Each change record is written once for the whole
/// answer (`AuditPlan`), and its event read once. A part's new records are
/// written on every core, a run at a time; its findings are then put
/// together from them, again a run at a time on every core, and printed in
/// order. The next part's events are read meanwhile.
enum AuditAnswer {
    static let run = 256

    /// The findings in order, as runs of text and how many findings each holds.
    static func write<Format: AuditFormat>(
        _ hits: [AdvisoryAudit.Hit], _ audit: AdvisoryAudit, as format: Format, partSize: Int = 4096,
        _ emit: (_ run: [UInt8], _ findings: Int) throws -> Void
    ) throws {
        // The first part's events are read while the plan is made: every
        // record the first part names is new.
        let planning = Prefetch { AuditPlan(hits, partSize: partSize) }
        let parts = (hits.count + partSize - 1) / partSize
        let kept = Kept<Format.Record>()
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
                let fresh = plan.records(of: p)
                var runs: [Format.Run] = []
                runs.reserveCapacity(fresh.count / run + 1)
                try ParallelMap.chunks(
                    fresh.count, chunk: run,
                    { r in
                        try format.run(
                            (fresh.lowerBound + r.lowerBound)..<(fresh.lowerBound + r.upperBound), of: plan,
                            from: events)
                    },
                    consume: { runs.append($0) })
                let written = runs
                @Sendable func record(_ k: Int) -> Format.Record {
                    guard fresh.contains(k) else { return kept.records[k]! }
                    return format.record((k - fresh.lowerBound) % run, of: written[(k - fresh.lowerBound) / run])
                }
                let first = p * partSize
                let part = first..<min(first + partSize, hits.count)
                try ParallelMap.chunks(
                    part.count, chunk: run,
                    { r in
                        let range = (part.lowerBound + r.lowerBound)..<(part.lowerBound + r.upperBound)
                        return (try format.findings(range, of: hits, plan.uses, record), r.count)
                    }, consume: { try emit($0.0, $0.1) })
                for k in fresh where plan.lastPart[k] > p { kept.records[k] = format.kept(record(k)) }
                for k in plan.expiring[p] { kept.records[k] = nil }
            })
    }

    /// Records written by earlier parts that later ones still name: read
    /// by every core while a part's findings are written, changed only
    /// between parts (held by reference: a copy of the table was made at
    /// every part).
    private final class Kept<Record>: @unchecked Sendable {
        var records: [Int: Record] = [:]
    }
}
