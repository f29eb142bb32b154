/// The mapping between `Event` and its JSON body. Written out by hand so the
/// schema is visible in one place and nothing is omitted or reordered by an
/// encoder's defaults.
extension Event {
    /// `policy` is written only when one was in force: a body from before
    /// it existed must encode back to the same bytes.
    public var json: JSONValue {
        var o: JSONObject = [
            "format": .string(Event.format),
            "seq": .int(seq),
            "prev_hash": .string(prevHash),
            "id": .string(id),
            "kind": .string(kind.rawValue),
            "started": .string(started),
            "finished": .string(finished),
            "actor": actor.json,
            "command": command?.json ?? .null,
            "environment": environment.json,
            "sources": .array(sources.map(\.json)),
            "changes": .array(changes.map(\.json)),
            "startup_hooks": .array(startupHooks.map(\.json)),
            "state_before": .string(stateBefore),
            "state_after": .string(stateAfter),
            "startup_before": .string(startupBefore),
            "startup_after": .string(startupAfter),
            "drift": drift?.json ?? .null,
            "lockfile": lockfile?.json ?? .null,
            "tool": tool?.json ?? .null,
            "notes": .strings(notes)
        ]
        if let policy { o["policy"] = policy.json }
        return .object(o)
    }

    public init(json v: JSONValue) throws {
        let r = Reader(v, "event")
        guard try r.string("format") == Event.format else { throw PkgtrailError(.invalidEvent, "unknown event format") }
        guard let kind = Kind(rawValue: try r.string("kind")) else {
            throw PkgtrailError(.invalidEvent, "unknown event kind")
        }
        self.init(
            seq: try r.int("seq"), prevHash: try r.string("prev_hash"), id: try r.string("id"), kind: kind,
            started: try r.string("started"), finished: try r.string("finished"),
            actor: try EventActor(json: try r.value("actor")),
            command: try r.optionalValue("command").map(Command.init(json:)),
            environment: try Environment(json: try r.value("environment")),
            sources: try r.array("sources").map(Source.init(json:)),
            changes: try r.array("changes").map(Change.init(json:)),
            startupHooks: try r.array("startup_hooks").map(StartupHook.init(json:)),
            stateBefore: try r.string("state_before"), stateAfter: try r.string("state_after"),
            startupBefore: try r.string("startup_before"), startupAfter: try r.string("startup_after"),
            drift: try r.optionalValue("drift").map(DriftWindow.init(json:)),
            lockfile: try r.optionalValue("lockfile").map(Lockfile.init(json:)),
            tool: try r.optionalValue("tool").map(ToolInstallation.init(json:)),
            notes: try r.array("notes").map { v in
                guard let s = v.stringValue else { throw PkgtrailError(.invalidEvent, "notes must be strings") }
                return s
            },
            policy: try r.addedValue("policy").map(PolicyInForce.init(json:)))
    }
}

extension ToolInstallation {
    var json: JSONValue {
        .object([
            "name": .string(name), "receipt_path": .string(receiptPath), "receipt_sha256": .optional(receiptSHA256),
            "executables": .strings(executables)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "tool")
        self.init(
            name: try r.string("name"), receiptPath: try r.string("receipt_path"),
            receiptSHA256: try r.optionalString("receipt_sha256"), executables: try r.strings("executables"))
    }
}

extension Lockfile {
    var json: JSONValue {
        .object([
            "path": .string(path), "sha256_before": .optional(sha256Before), "sha256_after": .optional(sha256After)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "lockfile")
        self.init(
            path: try r.string("path"), sha256Before: try r.optionalString("sha256_before"),
            sha256After: try r.optionalString("sha256_after"))
    }
}

extension DriftWindow {
    /// `observer` is written only when known: a body from before it existed
    /// must encode back to the same bytes.
    var json: JSONValue {
        var members: [String: JSONValue] = ["last_seen": .optional(lastSeen), "last_seen_seq": .optional(lastSeenSeq)]
        if let observer { members["observer"] = .string(observer.description) }
        return .object(JSONObject(members))
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "drift")
        let seqValue = try r.optionalValue("last_seen_seq")
        guard seqValue == nil || seqValue?.intValue != nil else {
            throw PkgtrailError(.invalidEvent, "drift.last_seen_seq must be an integer or null")
        }
        self.init(
            lastSeen: try r.optionalString("last_seen"), lastSeenSeq: seqValue?.intValue,
            observer: try r.addedString("observer").map(DriftWindow.Observer.init))
    }
}

extension EventActor {
    var json: JSONValue {
        .object([
            "user": .string(user), "uid": .int(uid), "sudo_user": .optional(sudoUser),
            "host": .string(host), "ci": ci?.json ?? .null
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "actor")
        self.init(
            user: try r.string("user"), uid: try r.int("uid"), sudoUser: try r.optionalString("sudo_user"),
            host: try r.string("host"), ci: try r.optionalValue("ci").map(CIIdentity.init(json:)))
    }
}

extension CIIdentity {
    var json: JSONValue {
        .object([
            "provider": .string(provider), "repository": .optional(repository),
            "run_id": .optional(runID), "job": .optional(job)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "ci")
        self.init(
            provider: try r.string("provider"), repository: try r.optionalString("repository"),
            runID: try r.optionalString("run_id"), job: try r.optionalString("job"))
    }
}

extension Command {
    var json: JSONValue {
        .object([
            "tool": .string(tool), "tool_version": .optional(toolVersion), "argv": .strings(argv),
            "cwd": .string(cwd), "exit_status": .int(exitStatus), "outcome": .string(outcome.rawValue)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "command")
        guard let outcome = Outcome(rawValue: try r.string("outcome")) else {
            throw PkgtrailError(.invalidEvent, "unknown outcome")
        }
        self.init(
            tool: try r.string("tool"), toolVersion: try r.optionalString("tool_version"),
            argv: try r.strings("argv"), cwd: try r.string("cwd"), exitStatus: try r.int("exit_status"),
            outcome: outcome)
    }
}

extension Environment {
    var json: JSONValue {
        .object([
            "prefix": .string(prefix), "python": .optional(python), "python_version": .optional(pythonVersion),
            "platform": .optional(platform), "is_venv": .bool(isVenv), "site_dirs": .strings(siteDirs)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "environment")
        self.init(
            prefix: try r.string("prefix"), python: try r.optionalString("python"),
            pythonVersion: try r.optionalString("python_version"), platform: try r.optionalString("platform"),
            isVenv: try r.bool("is_venv"), siteDirs: try r.strings("site_dirs"))
    }
}

extension Source {
    var json: JSONValue {
        .object(["kind": .string(kind.description), "url": .optional(url), "origin": .string(origin)])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "source")
        self.init(kind: Kind(try r.string("kind")), url: try r.optionalString("url"), origin: try r.string("origin"))
    }
}

extension Artifact {
    var json: JSONValue {
        .object([
            "url": .optional(url), "sha256": .optional(sha256), "filename": .optional(filename),
            "hash_source": .optional(hashSource)
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "artifact")
        self.init(
            url: try r.optionalString("url"), sha256: try r.optionalString("sha256"),
            filename: try r.optionalString("filename"), hashSource: try r.optionalString("hash_source"))
    }
}

extension StartupHook {
    var json: JSONValue {
        .object([
            "path": .string(path), "sha256": .optional(sha256), "executable_import": .bool(executableImport),
            "status": .string(status.description)
        ])
    }
    public init(json v: JSONValue) throws {
        let r = Reader(v, "startup_hook")
        self.init(
            path: try r.string("path"), sha256: try r.optionalString("sha256"),
            executableImport: try r.bool("executable_import"), status: Status(try r.string("status")))
    }
}

extension Change {
    var json: JSONValue {
        .object([
            "name": .string(name), "action": .string(action.rawValue), "from_version": .optional(fromVersion),
            "to_version": .optional(toVersion), "artifact": artifact?.json ?? .null,
            "record_sha256": .optional(recordSHA256), "installer": .optional(installer),
            "requested": .optional(requested), "required_by": .strings(requiredBy),
            "startup_hooks": .array(startupHooks.map(\.json))
        ])
    }
    init(json v: JSONValue) throws {
        let r = Reader(v, "change")
        guard let action = Action(rawValue: try r.string("action")) else {
            throw PkgtrailError(.invalidEvent, "unknown action")
        }
        self.init(
            name: try r.string("name"), action: action, fromVersion: try r.optionalString("from_version"),
            toVersion: try r.optionalString("to_version"),
            artifact: try r.optionalValue("artifact").map(Artifact.init(json:)),
            recordSHA256: try r.optionalString("record_sha256"), installer: try r.optionalString("installer"),
            requested: try r.optionalBool("requested"), requiredBy: try r.strings("required_by"),
            startupHooks: try r.array("startup_hooks").map(StartupHook.init(json:)))
    }
}

/// Typed field access that names the field on failure.
struct Reader {
    let members: JSONObject
    let context: String
    init(_ v: JSONValue, _ context: String) {
        self.members = v.objectValue ?? JSONObject()
        self.context = context
    }
    func value(_ k: String) throws -> JSONValue {
        guard let v = members[k] else { throw PkgtrailError(.invalidEvent, "\(context).\(k) is missing") }
        return v
    }
    func optionalValue(_ k: String) throws -> JSONValue? {
        let v = try value(k)
        return v.isNull ? nil : v
    }
    func string(_ k: String) throws -> String {
        guard let s = try value(k).stringValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be a string")
        }
        return s
    }
    /// A field added after the format's first events: absent in older bodies.
    func addedValue(_ k: String) throws -> JSONValue? {
        members[k] == nil ? nil : try optionalValue(k)
    }
    /// A field added after the format's first events: absent in older bodies.
    func addedString(_ k: String) throws -> String? {
        members[k] == nil ? nil : try optionalString(k)
    }
    func optionalString(_ k: String) throws -> String? {
        guard let v = try optionalValue(k) else { return nil }
        guard let s = v.stringValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be a string or null")
        }
        return s
    }
    func int(_ k: String) throws -> Int64 {
        guard let i = try value(k).intValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be an integer")
        }
        return i
    }
    func bool(_ k: String) throws -> Bool {
        guard let b = try value(k).boolValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be a boolean")
        }
        return b
    }
    func optionalBool(_ k: String) throws -> Bool? {
        guard let v = try optionalValue(k) else { return nil }
        guard let b = v.boolValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be a boolean or null")
        }
        return b
    }
    func array(_ k: String) throws -> [JSONValue] {
        guard let a = try value(k).arrayValue else {
            throw PkgtrailError(.invalidEvent, "\(context).\(k) must be an array")
        }
        return a
    }
    func strings(_ k: String) throws -> [String] {
        try array(k).map { v in
            guard let s = v.stringValue else { throw PkgtrailError(.invalidEvent, "\(context).\(k) must hold strings") }
            return s
        }
    }
}
