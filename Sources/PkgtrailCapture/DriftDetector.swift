import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// Compares what is on disk with what the log says (docs/SPEC.md §4). Anything that
/// differs happened outside the shims — `python -m pip`, `./venv/bin/pip`, a
/// copied folder, a deleted dist-info — and becomes a `drift` event with the
/// window in which it happened: after the environment was last seen, before now.
enum DriftDetector {
    /// `pending`: events for this environment waiting in the spool (the log
    /// could not be written); the record is the log's followed by theirs, so
    /// nothing they hold is claimed again. `matchedAt`: when the observer
    /// last found the environment as the record says (the watcher's previous
    /// look, which found nothing to record), so the window starts there.
    /// `baseline`: record an environment never seen before even when it
    /// holds nothing, so what arrives later has a window (the watcher's
    /// newly found venvs).
    static func check(
        store: TrailStore, environment: Environment, snapshot: Snapshot, actor: EventActor,
        now: String, observer: DriftWindow.Observer, pending: [Event] = [], matchedAt: String? = nil,
        artifacts: ArtifactSource? = nil, baseline: Bool = false
    ) throws -> Event? {
        let logged = try store.lastSeen(host: actor.host, prefix: environment.prefix)
        if pending.isEmpty, let logged, logged.stateAfter == snapshot.stateDigest,
            logged.startupAfter == snapshot.startupDigest
        {
            return nil  // the common case: two digests compared, no history read
        }
        var recorded =
            logged == nil ? RecordedState() : try store.recordedState(host: actor.host, prefix: environment.prefix)
        for e in pending { recorded.apply(e) }
        let deltas = Drift.packageDeltas(recorded: recorded, observed: snapshot)
        let hooks = Drift.startupHooks(recorded: recorded, observed: snapshot)
        let new = logged == nil && pending.isEmpty
        if deltas.isEmpty && hooks.isEmpty && !(new && baseline) { return nil }
        let built = ChangeBuilder.build(deltas: deltas, hooks: hooks, artifacts: artifacts, requestedNames: nil)
        var notes = built.notes
        if new {
            notes.append(
                deltas.isEmpty && hooks.isEmpty
                    ? "first time pkgtrail sees this environment: it holds no distributions yet"
                    : "first time pkgtrail sees this environment: what it already held is recorded as drift")
        }
        // Timestamps are fixed-width UTC: their order is the text's order.
        let recordedAt = pending.last?.finished ?? logged?.finished
        let lastSeen = [recordedAt, matchedAt].compactMap { $0 }.max()
        if let waiting = pending.last {
            notes.append(
                "the environment was last seen at \(waiting.finished) by an event still waiting in the spool; "
                    + "last_seen_seq is the last one in the log")
        }
        return Event(
            id: Clock.uuid(), kind: .drift, started: now, finished: now, actor: actor, command: nil,
            environment: environment, sources: [], changes: built.changes, startupHooks: built.hooks,
            stateBefore: recorded.stateDigest, stateAfter: snapshot.stateDigest,
            startupBefore: recorded.startupDigest, startupAfter: snapshot.startupDigest,
            drift: DriftWindow(lastSeen: lastSeen, lastSeenSeq: logged?.seq, observer: observer), notes: notes)
    }
}
