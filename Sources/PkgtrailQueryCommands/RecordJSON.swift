import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

/// The `--json` shapes of forensic answers. Field names are part of the
/// interface (README, "Commands": the --json fields): add fields, never rename them.
///
/// A record is written from the event's stored body, its values copied as
/// they are stored (`CanonicalBody`), never from a decoded `Event`: an audit
/// writes two hundred thousand of them, and decoding their bodies was most
/// of its time. This is the one definition of the record; who, exposure,
/// diff and audit all write it. Members are written in canonical key order.
enum RecordJSON {
    /// Which change of an event a record is about.
    enum Pick {
        case index(Int)
        /// The change to this package (a window knows its name, not its index).
        case name(String)
    }

    /// A change in an event as stored.
    struct Stored {
        let body: [UInt8]
        let hash: [UInt8]
        let pick: Pick

        init(body: [UInt8], hash: [UInt8], pick: Pick) {
            self.body = body
            self.hash = hash
            self.pick = pick
        }

        init(_ r: ChangeRecord) { self.init(body: r.body, hash: r.hash, pick: .index(r.index)) }
    }

    static func change(_ r: ChangeRecord) throws -> [UInt8] {
        var w = JSONWriter(capacity: 2048)
        try change(body: r.body, hash: r.hash, .index(r.index), into: &w)
        return w.bytes
    }

    static func change(body: [UInt8], hash: [UInt8], _ pick: Pick, into w: inout JSONWriter) throws {
        try CanonicalBody.read(body) { b in
            try hash.withUnsafeBufferPointer { hash in try StoredChange(b, hash: hash, pick).write(into: &w) }
        }
    }

    /// A change record as written, and the two times a window takes from
    /// its event (where it opened, when it finished), as JSON text.
    struct ChangeText: Sendable {
        let record: ArraySlice<UInt8>
        let windowStart: ArraySlice<UInt8>
        let finished: ArraySlice<UInt8>
    }

    /// Where `writeChange` put a record and its times in the writer's bytes.
    struct WrittenChange: Sendable {
        let record: Range<Int>
        let windowStart: Range<Int>
        let finished: Range<Int>

        func text(in bytes: [UInt8]) -> ChangeText {
            ChangeText(record: bytes[record], windowStart: bytes[windowStart], finished: bytes[finished])
        }
    }

    /// Writes the record of one change of a stored event, then the times a
    /// window takes from the event, one after the other.
    static func writeChange(
        body: UnsafeBufferPointer<UInt8>, hash: UnsafeBufferPointer<UInt8>, _ pick: Pick, into w: inout JSONWriter
    ) throws -> WrittenChange {
        let b = CanonicalBody(body)
        let change = try StoredChange(b, hash: hash, pick)
        let start = w.bytes.count
        try change.write(into: &w)
        let windowStart = w.bytes.count
        w.raw(b, try change.windowStart())
        let finished = w.bytes.count
        w.raw(b, try change.finished())
        return WrittenChange(
            record: start..<windowStart, windowStart: windowStart..<finished, finished: finished..<w.bytes.count)
    }

    static func changeText(_ stored: Stored) throws -> ChangeText {
        var w = JSONWriter(capacity: 2048)
        let written = try stored.body.withUnsafeBufferPointer { body in
            try stored.hash.withUnsafeBufferPointer { hash in
                try writeChange(body: body, hash: hash, stored.pick, into: &w)
            }
        }
        return written.text(in: w.bytes)
    }

    /// A presence window: where, which version, from when until when, and
    /// the records of the changes that opened and ended it. `extra`: more
    /// members, already encoded, merged in key order.
    static func presence(
        name: String, version: String, host: String, prefix: String, arrival: ChangeText, departure: ChangeText?,
        extra: [(key: String, json: [UInt8])],
        into w: inout JSONWriter
    ) {
        var more = extra.sorted { CanonicalJSON.utf8Less($0.key, $1.key) }[...]
        /// The extra members that sort before `key` (nil: all that are left).
        func extras(before key: String?) {
            while let e = more.first, key.map({ CanonicalJSON.utf8Less(e.key, $0) }) ?? true {
                w.key(e.key)
                w.raw(e.json)
                more = more.dropFirst()
            }
        }
        w.openObject()
        extras(before: "environment")
        w.key("environment")
        w.string(prefix)
        extras(before: "from")
        w.key("from")
        w.raw(arrival.windowStart)
        extras(before: "host")
        w.key("host")
        w.string(host)
        extras(before: "installed")
        w.key("installed")
        w.raw(arrival.record)
        extras(before: "name")
        w.key("name")
        w.string(name)
        extras(before: "removed")
        w.key("removed")
        if let departure { w.raw(departure.record) } else { w.null() }
        extras(before: "still_present")
        w.key("still_present")
        w.bool(departure == nil)
        extras(before: "until")
        w.key("until")
        if let departure { w.raw(departure.finished) } else { w.null() }
        extras(before: "version")
        w.key("version")
        w.string(version)
        extras(before: nil)
        w.closeObject()
    }

    static func presence(_ p: Presence, extra: [(key: String, json: [UInt8])] = []) throws -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        presence(
            name: p.name, version: p.version, host: p.host, prefix: p.prefix,
            arrival: try changeText(Stored(p.arrival)), departure: try p.departure.map { try changeText(Stored($0)) },
            extra: extra, into: &w)
        return w.bytes
    }

    static func emitArray(_ values: [JSONValue]) throws {
        emitArray(try values.map(CanonicalJSON.encode))
    }

    static func emitArray(_ elements: [[UInt8]]) {
        var printer = JSONArrayPrinter()
        for e in elements { printer.add(json: e) }
        printer.finish()
    }

}

/// One change of a stored event, found in its body: the members a record reads.
struct StoredChange {
    let b: CanonicalBody
    let hash: UnsafeBufferPointer<UInt8>
    let event: [CanonicalBody.Value?]
    let change: [CanonicalBody.Value?]

    static let eventKeys = CanonicalBody.Keys([
        "actor", "changes", "command", "drift", "environment", "finished", "format", "id", "kind", "seq", "sources",
        "started"
    ])
    static let changeKeys = CanonicalBody.Keys([
        "action", "artifact", "from_version", "name", "requested", "required_by", "startup_hooks", "to_version"
    ])
    static let nameKey = CanonicalBody.Keys(["name"])
    static let actorKeys = CanonicalBody.Keys(["ci", "host", "sudo_user", "uid", "user"])
    static let ciKeys = CanonicalBody.Keys(["job", "provider", "repository", "run_id"])
    static let commandKeys = CanonicalBody.Keys(["argv", "cwd", "exit_status", "outcome", "tool", "tool_version"])
    static let driftKeys = CanonicalBody.Keys(["last_seen", "last_seen_seq", "observer"])
    static let environmentKeys = CanonicalBody.Keys(["prefix"])
    static let artifactKeys = CanonicalBody.Keys(["filename", "hash_source", "sha256", "url"])
    static let sourceKeys = CanonicalBody.Keys(["kind", "origin", "url"])
    static let format = CanonicalJSON.encodeString(Event.format)
    static let index = CanonicalJSON.encodeString("index")

    init(_ b: CanonicalBody, hash: UnsafeBufferPointer<UInt8>, _ pick: RecordJSON.Pick) throws {
        self.b = b
        self.hash = hash
        event = try b.members(b.root, Self.eventKeys)
        guard let format = event[6], b.equals(format, json: Self.format) else {
            throw PkgtrailError(.invalidEvent, "unknown event format")
        }
        let changes = try b.elements(try b.required(event[1], "event.changes"))
        let found: CanonicalBody.Value?
        switch pick {
        case .index(let i): found = changes.indices.contains(i) ? changes[i] : nil
        case .name(let name): found = try Self.change(named: name, in: changes, b)
        }
        guard let found else { throw Self.missing }
        change = try b.members(found, Self.changeKeys)
    }

    static let missing = PkgtrailError(
        .corrupt, "an event does not hold the change its projection names: run `pkgtrail verify`")

    /// The change to `name` among an event's stored changes.
    static func change(named name: String, in changes: [CanonicalBody.Value], _ b: CanonicalBody) throws
        -> CanonicalBody.Value?
    {
        let stored = CanonicalJSON.encodeString(name)
        return try changes.first { c in try b.members(c, nameKey)[0].map { b.equals($0, json: stored) } ?? false }
    }

    /// Where the window it opens begins: `Presence.windowStart`, read from the body.
    func windowStart() throws -> CanonicalBody.Value {
        if let drift = try b.optionalObject(event[3], "event.drift") {
            return try b.optionalString(try b.members(drift, Self.driftKeys)[0], "drift.last_seen")
        }
        return try b.string(event[11], "event.started")
    }

    func finished() throws -> CanonicalBody.Value { try b.string(event[5], "event.finished") }

    /// The event's sources, their kinds, and `Event.indexInForce`: the url
    /// of the first source of kind index.
    func sources() throws -> (all: [[CanonicalBody.Value?]], kinds: [CanonicalBody.Value], index: CanonicalBody.Value?)
    {
        let all = try b.elements(try b.required(event[10], "event.sources")).map { try b.members($0, Self.sourceKeys) }
        let kinds = try all.map { try b.string($0[0], "source.kind") }
        let first = kinds.firstIndex { b.equals($0, json: Self.index) }
        return (all, kinds, try first.map { try b.optionalString(all[$0][2], "source.url") })
    }

    /// The change's startup hooks: rare, and decoded whole (what is known
    /// of a hook is computed from it).
    func hooks() throws -> [StartupHook] {
        try b.elements(try b.required(change[6], "change.startup_hooks")).map {
            try StartupHook(json: try JSONParser.parse(Array(b.slice($0))))
        }
    }

    func write(into w: inout JSONWriter) throws {
        let actor = try b.members(try b.required(event[0], "event.actor"), Self.actorKeys)
        let command = try b.optionalObject(event[2], "event.command").map { try b.members($0, Self.commandKeys) }
        let artifact = try b.optionalObject(change[1], "change.artifact").map { try b.members($0, Self.artifactKeys) }
        let sources = try sources()
        w.openObject()
        w.key("action")
        w.raw(b, try word(change[0], "change.action", Change.Action.init(rawValue:)))
        w.key("artifact_filename")
        w.raw(b, try artifact.map { try b.optionalString($0[0], "artifact.filename") })
        w.key("artifact_url")
        w.raw(b, try artifact.map { try b.optionalString($0[3], "artifact.url") })
        w.key("ci")
        if let ci = try b.optionalObject(actor[0], "actor.ci") {
            let m = try b.members(ci, Self.ciKeys)
            w.openObject()
            w.key("job")
            w.raw(b, try b.optionalString(m[0], "ci.job"))
            w.key("provider")
            w.raw(b, try b.string(m[1], "ci.provider"))
            w.key("repository")
            w.raw(b, try b.optionalString(m[2], "ci.repository"))
            w.key("run_id")
            w.raw(b, try b.optionalString(m[3], "ci.run_id"))
            w.closeObject()
        } else {
            w.null()
        }
        w.key("command")
        w.raw(b, try command.map { try b.strings($0[0], "command.argv") })
        w.key("cwd")
        w.raw(b, try command.map { try b.string($0[1], "command.cwd") })
        w.key("drift_window")
        if let drift = try b.optionalObject(event[3], "event.drift") {
            let m = try b.members(drift, Self.driftKeys)
            w.openObject()
            w.key("last_seen")
            w.raw(b, try b.optionalString(m[0], "drift.last_seen"))
            w.key("last_seen_seq")
            w.raw(b, try b.optionalInt(m[1], "drift.last_seen_seq"))
            w.key("observer")
            // Added to the format later: absent in older bodies.
            w.raw(b, try m[2].map { try b.optionalString($0, "drift.observer") })
            w.closeObject()
        } else {
            w.null()
        }
        w.key("environment")
        let environment = try b.members(try b.required(event[4], "event.environment"), Self.environmentKeys)
        w.raw(b, try b.string(environment[0], "environment.prefix"))
        w.key("event_id")
        w.raw(b, try b.string(event[7], "event.id"))
        w.key("exit_status")
        w.raw(b, try command.map { try b.int($0[2], "command.exit_status") })
        w.key("finished")
        w.raw(b, try finished())
        w.key("from_version")
        w.raw(b, try b.optionalString(change[2], "change.from_version"))
        w.key("hash")
        w.hex(hash)
        w.key("hash_source")
        w.raw(b, try artifact.map { try b.optionalString($0[1], "artifact.hash_source") })
        w.key("host")
        w.raw(b, try b.string(actor[1], "actor.host"))
        w.key("index")
        w.raw(b, sources.index)
        w.key("kind")
        w.raw(b, try word(event[8], "event.kind", Event.Kind.init(rawValue:)))
        w.key("name")
        w.raw(b, try b.string(change[3], "change.name"))
        w.key("outcome")
        w.raw(b, try command.map { try word($0[3], "command.outcome", Command.Outcome.init(rawValue:)) })
        w.key("requested")
        w.raw(b, try b.optionalBool(change[4], "change.requested"))
        w.key("required_by")
        w.raw(b, try b.strings(change[5], "change.required_by"))
        w.key("seq")
        w.raw(b, try b.int(event[9], "event.seq"))
        w.key("sha256")
        w.raw(b, try artifact.map { try b.optionalString($0[2], "artifact.sha256") })
        w.key("sources")
        w.openArray()
        for (s, kind) in zip(sources.all, sources.kinds) {
            w.element()
            w.openObject()
            w.key("kind")
            w.raw(b, kind)
            w.key("origin")
            w.raw(b, try b.string(s[1], "source.origin"))
            w.key("url")
            w.raw(b, try b.optionalString(s[2], "source.url"))
            w.closeObject()
        }
        w.closeArray()
        w.key("started")
        w.raw(b, try b.string(event[11], "event.started"))
        w.key("startup_hooks")
        w.openArray()
        for hook in try hooks() {
            w.element()
            w.openObject()
            w.key("executable_import")
            w.bool(hook.executableImport)
            w.key("known")
            try w.value(.optional(HookKnowledge.known(hook)))
            w.key("path")
            w.string(hook.path)
            w.key("sha256")
            try w.value(.optional(hook.sha256))
            w.key("status")
            w.string(hook.status.description)
            w.closeObject()
        }
        w.closeArray()
        w.key("sudo_user")
        w.raw(b, try b.optionalString(actor[2], "actor.sudo_user"))
        w.key("to_version")
        w.raw(b, try b.optionalString(change[7], "change.to_version"))
        w.key("tool")
        w.raw(b, try command.map { try b.string($0[4], "command.tool") })
        w.key("tool_version")
        w.raw(b, try command.map { try b.optionalString($0[5], "command.tool_version") })
        w.key("uid")
        w.raw(b, try b.int(actor[3], "actor.uid"))
        w.key("user")
        w.raw(b, try b.string(actor[4], "actor.user"))
        w.closeObject()
    }

    /// A string that must be one of an enumeration's words, as the decoder requires.
    func word<T>(_ v: CanonicalBody.Value?, _ what: String, _ known: (String) -> T?) throws
        -> CanonicalBody.Value
    {
        let v = try b.string(v, what)
        guard known(try b.decodedString(v)) != nil else { throw PkgtrailError(.invalidEvent, "unknown \(what)") }
        return v
    }
}

/// The body with its hash added: what `--json` prints for an event.
public func jsonWithHash(body: [UInt8], hash: [UInt8]) -> String {
    var text = String(decoding: body, as: UTF8.self)
    text.removeLast()
    return text + ",\"hash\":\"\(Hex.encode(hash))\"}"
}
