import PkgtrailCore

/// What `verify --checkpoint` concludes about one checkpoint.
public enum CheckpointVerdict: Sendable {
    case extends
    case truncated(have: Int64)
    case rewritten(VerifyReport.Problem)
    case forked(at: Int64)

    public static func judge(_ cp: Checkpoint, report: VerifyReport, store: TrailStore) throws -> CheckpointVerdict {
        // The log's own length, not how far verification got: a break is judged below.
        let have = try store.head().seq
        if have < cp.size { return .truncated(have: have) }
        // Stored hashes prove nothing where the chain does not recompute: a
        // break at or before the checkpoint means what it signed was rewritten.
        if let p = report.problems.first(where: { ($0.seq ?? .max) <= cp.size }) { return .rewritten(p) }
        let hash = cp.size == 0 ? Chain.genesis : try store.event(seq: cp.size)?.hash
        if hash == cp.head { return .extends }
        // An intact chain that differs from what was signed: every event after
        // the change was re-chained. This is another history (a fork).
        return .forked(at: cp.size)
    }

    public var ok: Bool { if case .extends = self { return true } else { return false } }

    public func describe(_ cp: Checkpoint) -> String {
        switch self {
        case .extends: return "checkpoint \(cp.origin) size \(cp.size): the log extends it"
        case .truncated(let have):
            return
                "TRUNCATED: the signed checkpoint \(cp.origin) vouches for \(cp.size) events; the log now holds \(have)"
        case .rewritten(let p):
            return
                "REWRITTEN: the log no longer matches the signed checkpoint \(cp.origin) at seq \(cp.size) "
                + "(\(p.description))"
        case .forked(let seq):
            return
                "FORKED: the log's chain is intact but its seq \(seq) is not the one signed in \(cp.origin): its "
                + "history was rewritten and re-chained, or this is another log"
        }
    }
}
