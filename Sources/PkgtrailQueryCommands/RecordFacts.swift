import PkgtrailCore

/// What a change record shows as text (`RecordText`), as plain values: read
/// from a decoded event (who, exposure, diff), or straight from the stored
/// body (an audit's hundred thousand records, whose events it has no other
/// use for: decoding them was a sixth of its CPU). A test holds the two
/// readings equal for every kind of event.
struct RecordFacts: Equatable, Sendable {
    /// A change seen outside the shims: whether the environment was seen
    /// for the first time, and when it was last seen without it.
    struct Drift: Equatable, Sendable {
        var firstSeen: Bool
        var lastSeen: String?
    }

    struct Run: Equatable, Sendable {
        var argv: [String]
        var tool: String
        var toolVersion: String?
        var outcome: String
    }

    var seq: Int64
    var started: String
    var finished: String
    var user: String
    var sudoUser: String?
    var host: String
    var ci: CIIdentity?
    var prefix: String
    var command: Run?
    var drift: Drift?
    /// `Event.indexInForce`.
    var index: String?
    var action: String
    var name: String
    var fromVersion: String?
    var toVersion: String?
    var requested: Bool?
    var requiredBy: [String]
    var artifact: Artifact?
    var hooks: [StartupHook]

    /// Where a window this record opens begins (`ChangeRecord.windowStart`).
    var windowStart: String?

    init(_ r: ChangeRecord) {
        let (e, c) = (r.event, r.change)
        seq = e.seq
        started = e.started
        finished = e.finished
        user = e.actor.user
        sudoUser = e.actor.sudoUser
        host = e.actor.host
        ci = e.actor.ci
        prefix = e.environment.prefix
        command = e.command.map {
            Run(argv: $0.argv, tool: $0.tool, toolVersion: $0.toolVersion, outcome: $0.outcome.rawValue)
        }
        drift = e.drift.map { Drift(firstSeen: $0.firstSeen, lastSeen: $0.lastSeen) }
        index = e.indexInForce
        action = c.action.rawValue
        name = c.name
        fromVersion = c.fromVersion
        toVersion = c.toVersion
        requested = c.requested
        requiredBy = c.requiredBy
        artifact = c.artifact
        hooks = c.startupHooks
        windowStart = r.windowStart
    }

    /// The change to `name`, read in place from an event's stored body,
    /// checked as the strict decoder checks what it reads.
    init(body: UnsafeBufferPointer<UInt8>, name: String) throws {
        let s = try StoredChange(CanonicalBody(body), hash: UnsafeBufferPointer(start: nil, count: 0), .name(name))
        let (b, event, change) = (s.b, s.event, s.change)
        func text(_ v: CanonicalBody.Value) throws -> String? { b.isNull(v) ? nil : try b.decodedString(v) }
        func string(_ v: CanonicalBody.Value?, _ what: String) throws -> String {
            try b.decodedString(try b.string(v, what))
        }
        func optional(_ v: CanonicalBody.Value?, _ what: String) throws -> String? {
            try text(try b.optionalString(v, what))
        }
        let actor = try b.members(try b.required(event[0], "event.actor"), StoredChange.actorKeys)
        seq = try Self.int(b, try b.int(event[9], "event.seq"))
        started = try string(event[11], "event.started")
        finished = try string(event[5], "event.finished")
        user = try string(actor[4], "actor.user")
        sudoUser = try optional(actor[2], "actor.sudo_user")
        host = try string(actor[1], "actor.host")
        ci = try b.optionalObject(actor[0], "actor.ci").map { ci in
            let m = try b.members(ci, StoredChange.ciKeys)
            return CIIdentity(
                provider: try string(m[1], "ci.provider"), repository: try optional(m[2], "ci.repository"),
                runID: try optional(m[3], "ci.run_id"), job: try optional(m[0], "ci.job"))
        }
        let environment = try b.members(try b.required(event[4], "event.environment"), StoredChange.environmentKeys)
        prefix = try string(environment[0], "environment.prefix")
        command = try b.optionalObject(event[2], "event.command").map { c in
            let m = try b.members(c, StoredChange.commandKeys)
            return Run(
                argv: try b.elements(try b.strings(m[0], "command.argv")).map { try b.decodedString($0) },
                tool: try string(m[4], "command.tool"), toolVersion: try optional(m[5], "command.tool_version"),
                outcome: try b.decodedString(try s.word(m[3], "command.outcome", Command.Outcome.init(rawValue:))))
        }
        drift = try b.optionalObject(event[3], "event.drift").map { d in
            let m = try b.members(d, StoredChange.driftKeys)
            return Drift(
                firstSeen: b.isNull(try b.optionalInt(m[1], "drift.last_seen_seq")),
                lastSeen: try optional(m[0], "drift.last_seen"))
        }
        index = try s.sources().index.flatMap(text)
        action = try b.decodedString(try s.word(change[0], "change.action", Change.Action.init(rawValue:)))
        self.name = try string(change[3], "change.name")
        fromVersion = try optional(change[2], "change.from_version")
        toVersion = try optional(change[7], "change.to_version")
        let requested = try b.optionalBool(change[4], "change.requested")
        self.requested = b.isNull(requested) ? nil : b.equals(requested, json: Self.yes)
        requiredBy = try b.elements(try b.strings(change[5], "change.required_by")).map { try b.decodedString($0) }
        artifact = try b.optionalObject(change[1], "change.artifact").map { a in
            let m = try b.members(a, StoredChange.artifactKeys)
            return Artifact(
                url: try optional(m[3], "artifact.url"), sha256: try optional(m[2], "artifact.sha256"),
                filename: try optional(m[0], "artifact.filename"),
                hashSource: try optional(m[1], "artifact.hash_source"))
        }
        hooks = try s.hooks()
        windowStart = try text(try s.windowStart())
    }

    private static let yes = Array("true".utf8)

    private static func int(_ b: CanonicalBody, _ v: CanonicalBody.Value) throws -> Int64 {
        guard let n = Int64(String(decoding: b.slice(v), as: UTF8.self)) else {
            throw PkgtrailError(.invalidEvent, "expected an integer")
        }
        return n
    }
}
