/// What an event records of the policy in force when its command ran: the
/// files (and their sha256, so the exact text can be matched later) and
/// what the cooldown did: the cut-off handed to the tool and by which
/// mechanism, or why it was not in force. An auditor reads from it what
/// protection an environment had on the day.
public struct PolicyInForce: Equatable, Sendable {
    public struct FileRef: Equatable, Sendable {
        public let path: String
        public let sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    public struct Cooldown: Equatable, Sendable {
        /// As the policy writes it ("48h").
        public var minReleaseAge: String
        /// Releases uploaded after this were not installable (nil: not in force).
        public var cutoff: String?
        /// How: `PIP_UPLOADED_PRIOR_TO`, `UV_EXCLUDE_NEWER`, or the user's own stricter setting.
        public var enforcedBy: String?
        /// Why it was not in force, or what else is worth knowing.
        public var note: String?

        public init(minReleaseAge: String, cutoff: String?, enforcedBy: String?, note: String?) {
            self.minReleaseAge = minReleaseAge
            self.cutoff = cutoff
            self.enforcedBy = enforcedBy
            self.note = note
        }

        public var inForce: Bool { cutoff != nil }
    }

    /// The deny-list: how many entries, the constraints handed to the tool
    /// (their sha256) and by what, and any denied version that was refused
    /// or found installed anyway.
    public struct Deny: Equatable, Sendable {
        /// Entries written by hand (`deny`).
        public var entries: Int
        public var constraintsSHA256: String?
        /// Lines in the constraints file (hand-written and from advisories).
        public var constraints: Int
        public var enforcedBy: String?
        public var found: [String]
        public var note: String?
        /// Each `deny_advisories` selection and the advisory store's state it was read in.
        public var advisories: [Advisories]

        public init(
            entries: Int, constraintsSHA256: String?, constraints: Int = 0, enforcedBy: String?, found: [String],
            note: String?, advisories: [Advisories] = []
        ) {
            self.entries = entries
            self.constraintsSHA256 = constraintsSHA256
            self.constraints = constraints
            self.enforcedBy = enforcedBy
            self.found = found
            self.note = note
            self.advisories = advisories
        }
    }

    /// The advisory database a deny-list was built from, as it was: which
    /// store, which prefixes, the last import and newest `modified` (nil
    /// when there was no store), and how many advisories were selected.
    public struct Advisories: Equatable, Sendable {
        public var store: String
        public var prefixes: [String]
        public var imported: String?
        public var newestModified: String?
        public var selected: Int

        public init(store: String, prefixes: [String], imported: String?, newestModified: String?, selected: Int) {
            self.store = store
            self.prefixes = prefixes
            self.imported = imported
            self.newestModified = newestModified
            self.selected = selected
        }

        var json: JSONValue {
            .object([
                "imported": .optional(imported), "newest_modified": .optional(newestModified),
                "prefixes": .strings(prefixes), "selected": .int(Int64(selected)), "store": .string(store)
            ])
        }

        init(json v: JSONValue) throws {
            let r = Reader(v, "policy.deny.advisories")
            self.init(
                store: try r.string("store"), prefixes: try r.strings("prefixes"),
                imported: try r.optionalString("imported"), newestModified: try r.optionalString("newest_modified"),
                selected: Int(try r.int("selected")))
        }
    }

    public var files: [FileRef]
    public var cooldown: Cooldown?
    public var deny: Deny?
    /// With `block_new_startup_hooks`: the unknown executable `.pth` files
    /// the command added or changed (nil: the setting was off).
    public var unknownStartupHooks: [String]?

    public init(files: [FileRef], cooldown: Cooldown?, deny: Deny? = nil, unknownStartupHooks: [String]? = nil) {
        self.files = files
        self.cooldown = cooldown
        self.deny = deny
        self.unknownStartupHooks = unknownStartupHooks
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "cooldown": cooldown.map { c in
                .object([
                    "cutoff": .optional(c.cutoff), "enforced_by": .optional(c.enforcedBy), "in_force": .bool(c.inForce),
                    "min_release_age": .string(c.minReleaseAge), "note": .optional(c.note)
                ])
            } ?? .null,
            "deny": deny.map { d in
                var fields: [String: JSONValue] = [
                    "constraints_sha256": .optional(d.constraintsSHA256), "enforced_by": .optional(d.enforcedBy),
                    "entries": .int(Int64(d.entries)), "found": .strings(d.found), "note": .optional(d.note)
                ]
                // Present only with advisories, so that hand-written deny-lists read as they always did.
                if !d.advisories.isEmpty {
                    fields["advisories"] = .array(d.advisories.map(\.json))
                    fields["constraints"] = .int(Int64(d.constraints))
                }
                return .object(JSONObject(fields))
            } ?? .null,
            "files": .array(files.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) })
        ]
        // Present only with the setting, so that other records read as they always did.
        if let unknownStartupHooks { fields["unknown_startup_hooks"] = .strings(unknownStartupHooks) }
        return .object(JSONObject(fields))
    }

    init(json v: JSONValue) throws {
        let r = Reader(v, "policy")
        self.init(
            files: try r.array("files").map { f in
                let r = Reader(f, "policy.files")
                return FileRef(path: try r.string("path"), sha256: try r.string("sha256"))
            },
            cooldown: try r.optionalValue("cooldown").map { c in
                let r = Reader(c, "policy.cooldown")
                let cooldown = Cooldown(
                    minReleaseAge: try r.string("min_release_age"), cutoff: try r.optionalString("cutoff"),
                    enforcedBy: try r.optionalString("enforced_by"), note: try r.optionalString("note"))
                guard try r.bool("in_force") == cooldown.inForce else {
                    throw PkgtrailError(.invalidEvent, "policy.cooldown.in_force disagrees with its cutoff")
                }
                return cooldown
            },
            deny: try r.optionalValue("deny").map { d in
                let r = Reader(d, "policy.deny")
                // Absent (not null) without advisories: see `json`.
                let advisories = try r.members["advisories"].map { a in
                    guard let items = a.arrayValue else {
                        throw PkgtrailError(.invalidEvent, "policy.deny.advisories is not an array")
                    }
                    return try items.map(Advisories.init(json:))
                }
                let lines = try r.members["constraints"].map { _ in Int(try r.int("constraints")) }
                guard (advisories == nil) == (lines == nil), advisories?.isEmpty != true else {
                    throw PkgtrailError(.invalidEvent, "policy.deny.advisories and .constraints go together")
                }
                return Deny(
                    entries: Int(try r.int("entries")), constraintsSHA256: try r.optionalString("constraints_sha256"),
                    constraints: lines ?? 0, enforcedBy: try r.optionalString("enforced_by"),
                    found: try r.strings("found"), note: try r.optionalString("note"), advisories: advisories ?? [])
            },
            unknownStartupHooks: try r.members["unknown_startup_hooks"].map { _ in
                try r.strings("unknown_startup_hooks")
            })
    }
}
