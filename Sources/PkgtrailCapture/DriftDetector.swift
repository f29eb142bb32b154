import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// Compares what is on disk with what the log says (docs/SPEC.md §4). Anything that
/// differs happened outside the shims — `python -m pip`, `./venv/bin/pip`, a
/// copied folder, a deleted dist-info — and becomes a `drift` event with the
/// window in which it happened: after the environment was last seen, before now.
enum DriftDetector {
    /// What the observer brings besides the log. `pending`: events for this
    /// environment waiting in the spool (the log could not be written); the
    /// record is the log's followed by theirs, so nothing they hold is
    /// claimed again. `matchedAt`: when the observer last found the
    /// environment as the record says (the watcher's previous look, which
    /// found nothing to record), so the window starts there. `baseline`:
    /// record an environment never seen before even when it holds nothing,
    /// so what arrives later has a window (the watcher's newly found venvs).
    /// `reinstalled`: same-version distributions the observer saw written
    /// again, which no version comparison shows.
    struct Observation {
        var observer: DriftWindow.Observer
        var pending: [Event] = []
        var matchedAt: String?
        var artifacts: ArtifactSource?
        var baseline = false
        var reinstalled: [DistributionDelta] = []
    }

    /// What the record says: the fold of the environment's events and its
    /// newest event (nil: never seen).
    struct Record {
        var state: RecordedState
        var newestSeq: Int64?
        var newestFinished: String?
    }

    static func check(
        store: TrailStore, environment: Environment, snapshot: Snapshot, actor: EventActor, now: String,
        _ observation: Observation
    ) throws -> Event? {
        try check(
            store: store, logged: try store.lastSeen(host: actor.host, prefix: environment.prefix),
            environment: environment, snapshot: snapshot, actor: actor, now: now, observation)
    }

    /// The same, with the environment's newest event as the caller already read it.
    static func check(
        store: TrailStore, logged: TrailStore.LastSeen?, environment: Environment, snapshot: Snapshot,
        actor: EventActor, now: String, _ observation: Observation
    ) throws -> Event? {
        if observation.pending.isEmpty, observation.reinstalled.isEmpty, let logged,
            logged.stateAfter == snapshot.stateDigest, logged.startupAfter == snapshot.startupDigest
        {
            return nil  // the common case: two digests compared, no history read
        }
        let state =
            logged == nil ? RecordedState() : try store.recordedState(host: actor.host, prefix: environment.prefix)
        let record = Record(state: state, newestSeq: logged?.seq, newestFinished: logged?.finished)
        return compare(record, environment: environment, snapshot: snapshot, actor: actor, now: now, observation)
    }

    /// The comparison itself, against a record however it was learned (the
    /// watcher keeps one in memory for when the log cannot even be read).
    static func compare(
        _ record: Record, environment: Environment, snapshot: Snapshot, actor: EventActor, now: String,
        _ observation: Observation
    ) -> Event? {
        let pending = observation.pending
        var recorded = record.state
        for e in pending { recorded.apply(e) }
        let changed = Drift.packageDeltas(recorded: recorded, observed: snapshot)
        let versionChanged = Set(changed.map(\.name))
        let deltas = (changed + observation.reinstalled.filter { !versionChanged.contains($0.name) }).sorted {
            $0.name < $1.name
        }
        let hooks = Drift.startupHooks(recorded: recorded, observed: snapshot)
        let new = record.newestSeq == nil && pending.isEmpty
        if deltas.isEmpty && hooks.isEmpty && !(new && observation.baseline) { return nil }
        let built = ChangeBuilder.build(
            deltas: deltas, hooks: hooks, artifacts: observation.artifacts, requestedNames: nil)
        var notes = built.notes
        if new {
            notes.append(
                deltas.isEmpty && hooks.isEmpty
                    ? "first time pkgtrail sees this environment: it holds no distributions yet"
                    : "first time pkgtrail sees this environment: what it already held is recorded as drift")
        }
        // Timestamps are fixed-width UTC: their order is the text's order.
        let recordedAt = pending.last?.finished ?? record.newestFinished
        let lastSeen = [recordedAt, observation.matchedAt].compactMap { $0 }.max()
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
            drift: DriftWindow(lastSeen: lastSeen, lastSeenSeq: record.newestSeq, observer: observation.observer),
            notes: notes)
    }
}
