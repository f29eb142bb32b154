import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// Compares what is on disk with what the log says (docs/SPEC.md §4). Anything that
/// differs happened outside the shims — `python -m pip`, `./venv/bin/pip`, a
/// copied folder, a deleted dist-info — and becomes a `drift` event with the
/// window in which it happened: after the environment was last seen, before now.
enum DriftDetector {
    static func check(
        store: TrailStore, environment: Environment, snapshot: Snapshot, actor: EventActor,
        now: String
    ) throws -> Event? {
        let last = try store.lastSeen(host: actor.host, prefix: environment.prefix)
        if let last, last.stateAfter == snapshot.stateDigest, last.startupAfter == snapshot.startupDigest {
            return nil  // the common case: two digests compared, no history read
        }
        let recorded =
            last == nil ? RecordedState() : try store.recordedState(host: actor.host, prefix: environment.prefix)
        let deltas = Drift.packageDeltas(recorded: recorded, observed: snapshot)
        let hooks = Drift.startupHooks(recorded: recorded, observed: snapshot)
        if deltas.isEmpty && hooks.isEmpty { return nil }
        let built = ChangeBuilder.build(deltas: deltas, hooks: hooks, artifacts: nil, requestedNames: nil)
        let (changes, unowned) = (built.changes, built.hooks)
        var notes: [String] = []
        if last == nil {
            notes.append("first time pkgtrail sees this environment: what it already held is recorded as drift")
        }
        return Event(
            id: Clock.uuid(), kind: .drift, started: now, finished: now, actor: actor, command: nil,
            environment: environment, sources: [], changes: changes, startupHooks: unowned,
            stateBefore: recorded.stateDigest, stateAfter: snapshot.stateDigest,
            startupBefore: recorded.startupDigest, startupAfter: snapshot.startupDigest,
            drift: DriftWindow(lastSeen: last?.finished, lastSeenSeq: last?.seq), notes: notes)
    }
}
