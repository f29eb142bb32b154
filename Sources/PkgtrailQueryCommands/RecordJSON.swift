import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// The `--json` shapes of forensic answers. Field names are part of the
/// interface (README, "Commands": the --json fields): add fields, never rename them.
enum RecordJSON {
    // The literals below are written in canonical key order, so that each
    // record is taken as built rather than sorted (an audit builds 200,000).

    static func change(_ r: ChangeRecord) -> JSONValue {
        let e = r.event
        let c = r.change
        let a = e.actor
        let hooks = c.startupHooks.map { h in
            JSONValue.object([
                "executable_import": .bool(h.executableImport), "known": .optional(HookKnowledge.known(h)),
                "path": .string(h.path), "sha256": .optional(h.sha256), "status": .string(h.status.description)
            ])
        }
        return .object([
            "action": .string(c.action.rawValue),
            "artifact_filename": .optional(c.artifact?.filename), "artifact_url": .optional(c.artifact?.url),
            "ci": a.ci.map { ci in
                .object([
                    "job": .optional(ci.job), "provider": .string(ci.provider), "repository": .optional(ci.repository),
                    "run_id": .optional(ci.runID)
                ])
            } ?? .null,
            "command": e.command.map { .strings($0.argv) } ?? .null, "cwd": .optional(e.command?.cwd),
            "drift_window": e.drift.map {
                .object([
                    "last_seen": .optional($0.lastSeen), "last_seen_seq": .optional($0.lastSeenSeq),
                    "observer": .optional($0.observer?.description)
                ])
            } ?? .null,
            "environment": .string(e.environment.prefix), "event_id": .string(e.id),
            "exit_status": .optional(e.command?.exitStatus), "finished": .string(e.finished),
            "from_version": .optional(c.fromVersion), "hash": .string(Hex.encode(r.hash)),
            "hash_source": .optional(c.artifact?.hashSource), "host": .string(a.host),
            "index": .optional(e.indexInForce),
            "kind": .string(e.kind.rawValue), "name": .string(c.name),
            "outcome": .optional(e.command?.outcome.rawValue),
            "requested": .optional(c.requested), "required_by": .strings(c.requiredBy), "seq": .int(e.seq),
            "sha256": .optional(c.artifact?.sha256),
            "sources": .array(
                e.sources.map {
                    .object([
                        "kind": .string($0.kind.description), "origin": .string($0.origin), "url": .optional($0.url)
                    ])
                }),
            "started": .string(e.started), "startup_hooks": .array(hooks), "sudo_user": .optional(a.sudoUser),
            "to_version": .optional(c.toVersion), "tool": .optional(e.command?.tool),
            "tool_version": .optional(e.command?.toolVersion), "uid": .int(a.uid), "user": .string(a.user)
        ])
    }

    static func presence(_ p: Presence, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: JSONObject = [
            "environment": .string(p.prefix), "from": .optional(p.windowStart), "host": .string(p.host),
            "installed": change(p.arrival), "name": .string(p.name), "removed": p.departure.map(change) ?? .null,
            "still_present": .bool(p.departure == nil), "until": .optional(p.windowEnd), "version": .string(p.version)
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    static func emitArray(_ values: [JSONValue]) throws {
        var printer = JSONArrayPrinter()
        for v in values { try printer.add(v) }
        printer.finish()
    }

    /// Prints one element for each item, built and encoded on every core,
    /// in order: for answers of a hundred thousand records.
    static func add<T: Sendable>(
        _ items: [T], to printer: inout JSONArrayPrinter, _ element: @escaping @Sendable (T) -> JSONValue
    ) throws {
        try ParallelMap.run(
            items, { try CanonicalJSON.encode(element($0)) },
            consume: { chunk in
                for json in chunk { printer.add(json: json) }
            })
    }
}

/// The body with its hash added: what `--json` prints for an event.
public func jsonWithHash(body: [UInt8], hash: [UInt8]) -> String {
    var text = String(decoding: body, as: UTF8.self)
    text.removeLast()
    return text + ",\"hash\":\"\(Hex.encode(hash))\"}"
}
