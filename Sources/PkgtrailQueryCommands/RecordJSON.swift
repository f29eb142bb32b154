import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore

/// The `--json` shapes of forensic answers. Field names are part of the
/// interface (README, "Commands": the --json fields): add fields, never rename them.
enum RecordJSON {
    static func change(_ r: ChangeRecord) -> JSONValue {
        let e = r.event
        let c = r.change
        let a = e.actor
        let hooks = c.startupHooks.map { h in
            JSONValue.object([
                "path": .string(h.path), "sha256": .optional(h.sha256),
                "executable_import": .bool(h.executableImport), "status": .string(h.status.description)
            ])
        }
        return .object([
            "seq": .int(e.seq), "event_id": .string(e.id), "hash": .string(Hex.encode(r.hash)),
            "kind": .string(e.kind.rawValue),
            "started": .string(e.started), "finished": .string(e.finished),
            "user": .string(a.user), "uid": .int(a.uid), "sudo_user": .optional(a.sudoUser), "host": .string(a.host),
            "ci": a.ci.map { ci in
                .object([
                    "provider": .string(ci.provider), "repository": .optional(ci.repository),
                    "run_id": .optional(ci.runID), "job": .optional(ci.job)
                ])
            } ?? .null,
            "environment": .string(e.environment.prefix),
            "tool": .optional(e.command?.tool), "tool_version": .optional(e.command?.toolVersion),
            "command": e.command.map { .strings($0.argv) } ?? .null, "cwd": .optional(e.command?.cwd),
            "outcome": .optional(e.command?.outcome.rawValue), "exit_status": .optional(e.command?.exitStatus),
            "name": .string(c.name), "action": .string(c.action.rawValue),
            "from_version": .optional(c.fromVersion), "to_version": .optional(c.toVersion),
            "sha256": .optional(c.artifact?.sha256), "artifact_url": .optional(c.artifact?.url),
            "artifact_filename": .optional(c.artifact?.filename), "hash_source": .optional(c.artifact?.hashSource),
            "index": .optional(e.indexInForce),
            "sources": .array(
                e.sources.map {
                    .object([
                        "kind": .string($0.kind.description), "url": .optional($0.url), "origin": .string($0.origin)
                    ])
                }),
            "requested": .optional(c.requested), "required_by": .strings(c.requiredBy), "startup_hooks": .array(hooks),
            "drift_window": e.drift.map {
                .object([
                    "last_seen": .optional($0.lastSeen), "last_seen_seq": .optional($0.lastSeenSeq),
                    "observer": .optional($0.observer?.description)
                ])
            } ?? .null
        ])
    }

    static func presence(_ p: Presence, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(p.name), "version": .string(p.version), "host": .string(p.host),
            "environment": .string(p.prefix),
            "from": .optional(p.windowStart), "until": .optional(p.windowEnd),
            "still_present": .bool(p.departure == nil),
            "installed": change(p.arrival), "removed": p.departure.map(change) ?? .null
        ]
        for (k, v) in extra { o[k] = v }
        return .object(JSONObject(o))
    }

    static func emitArray(_ values: [JSONValue]) throws {
        emitJSON(
            Array(
                ("["
                    + (try values.map { String(decoding: try CanonicalJSON.encode($0), as: UTF8.self) }).joined(
                        separator: ",\n") + "]").utf8))
    }
}

/// The body with its hash added: what `--json` prints for an event.
public func jsonWithHash(body: [UInt8], hash: [UInt8]) -> String {
    var text = String(decoding: body, as: UTF8.self)
    text.removeLast()
    return text + ",\"hash\":\"\(Hex.encode(hash))\"}"
}
