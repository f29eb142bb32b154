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
        public var entries: Int
        public var constraintsSHA256: String?
        public var enforcedBy: String?
        public var found: [String]
        public var note: String?

        public init(entries: Int, constraintsSHA256: String?, enforcedBy: String?, found: [String], note: String?) {
            self.entries = entries
            self.constraintsSHA256 = constraintsSHA256
            self.enforcedBy = enforcedBy
            self.found = found
            self.note = note
        }
    }

    public var files: [FileRef]
    public var cooldown: Cooldown?
    public var deny: Deny?

    public init(files: [FileRef], cooldown: Cooldown?, deny: Deny? = nil) {
        self.files = files
        self.cooldown = cooldown
        self.deny = deny
    }

    var json: JSONValue {
        .object([
            "cooldown": cooldown.map { c in
                .object([
                    "cutoff": .optional(c.cutoff), "enforced_by": .optional(c.enforcedBy), "in_force": .bool(c.inForce),
                    "min_release_age": .string(c.minReleaseAge), "note": .optional(c.note)
                ])
            } ?? .null,
            "deny": deny.map { d in
                .object([
                    "constraints_sha256": .optional(d.constraintsSHA256), "enforced_by": .optional(d.enforcedBy),
                    "entries": .int(Int64(d.entries)), "found": .strings(d.found), "note": .optional(d.note)
                ])
            } ?? .null,
            "files": .array(files.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) })
        ])
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
                return Deny(
                    entries: Int(try r.int("entries")), constraintsSHA256: try r.optionalString("constraints_sha256"),
                    enforcedBy: try r.optionalString("enforced_by"), found: try r.strings("found"),
                    note: try r.optionalString("note"))
            })
    }
}
