/// One entry of the log, as SPEC.md §2 defines it.
///
/// The body is built from these types by `Event.json` and read back by
/// `Event(json:)`; every key is a fixed ASCII schema name, never user data,
/// and every absent fact is an explicit null.
public struct Event: Equatable, Sendable {
    public static let format = "pkgtrail.event/1"

    public enum Kind: String, Sendable { case install, drift }

    public var seq: Int64
    public var prevHash: String
    public var id: String
    public var kind: Kind
    public var started: String
    public var finished: String
    public var actor: EventActor
    public var command: Command?
    public var environment: Environment
    public var sources: [Source]
    public var changes: [Change]
    /// `.pth` files that changed but belong to no changed distribution.
    public var startupHooks: [StartupHook]
    public var stateBefore: String
    public var stateAfter: String
    /// Digests of the environment's `.pth` files (path and sha256), before and after.
    public var startupBefore: String
    public var startupAfter: String
    /// For drift events: the window in which the unwitnessed change happened.
    public var drift: DriftWindow?
    /// For project commands (uv add/remove/sync/run): the lock file and how it changed.
    public var lockfile: Lockfile?
    /// For `uv tool` commands: the tool, its receipt and the executables it exposes.
    public var tool: ToolInstallation?
    /// Things the recorder could not learn, said plainly (never secrets).
    public var notes: [String]
    /// The policy in force for a recorded command (nil: none).
    public var policy: PolicyInForce?

    public init(
        seq: Int64 = 0, prevHash: String = "", id: String, kind: Kind, started: String, finished: String,
        actor: EventActor, command: Command?, environment: Environment, sources: [Source], changes: [Change],
        startupHooks: [StartupHook], stateBefore: String, stateAfter: String, startupBefore: String,
        startupAfter: String, drift: DriftWindow? = nil, lockfile: Lockfile? = nil,
        tool: ToolInstallation? = nil, notes: [String], policy: PolicyInForce? = nil
    ) {
        self.seq = seq
        self.prevHash = prevHash
        self.id = id
        self.kind = kind
        self.started = started
        self.finished = finished
        self.actor = actor
        self.command = command
        self.environment = environment
        self.sources = sources
        self.changes = changes
        self.startupHooks = startupHooks
        self.stateBefore = stateBefore
        self.stateAfter = stateAfter
        self.startupBefore = startupBefore
        self.startupAfter = startupAfter
        self.drift = drift
        self.lockfile = lockfile
        self.tool = tool
        self.notes = notes
        self.policy = policy
    }
}

/// A project's lock file (`uv.lock`) around a command: sha256 of its bytes
/// before and after (null where it did not exist).
public struct Lockfile: Equatable, Sendable {
    public var path: String
    public var sha256Before: String?
    public var sha256After: String?
    public init(path: String, sha256Before: String?, sha256After: String?) {
        self.path = path
        self.sha256Before = sha256Before
        self.sha256After = sha256After
    }
}

/// A uv tool after the command: its receipt (`uv-receipt.toml`, null when
/// the tool is gone) and the executables the receipt says it exposes.
public struct ToolInstallation: Equatable, Sendable {
    public var name: String
    public var receiptPath: String
    public var receiptSHA256: String?
    public var executables: [String]
    public init(name: String, receiptPath: String, receiptSHA256: String?, executables: [String]) {
        self.name = name
        self.receiptPath = receiptPath
        self.receiptSHA256 = receiptSHA256
        self.executables = executables
    }
}

/// A drift event's window: the change happened after the environment was
/// last seen (by the event `lastSeenSeq`, at `lastSeen`) and before this
/// event's `started`. Both are null when pkgtrail had never seen the environment.
public struct DriftWindow: Equatable, Sendable {
    public var lastSeen: String?
    public var lastSeenSeq: Int64?
    /// What looked: `watch` (the watcher, seconds after the change),
    /// `recorder` (a recorded command, before it ran), `scan`. Null in events
    /// written before pkgtrail said (their body has no such key).
    public var observer: Observer?

    public enum Observer: StoredWord {
        case watch
        case recorder
        case scan
        case other(String)
        public static let words: [(word: String, value: Observer)] = [
            ("watch", .watch), ("recorder", .recorder), ("scan", .scan)
        ]
        public var otherWord: String? { if case .other(let w) = self { w } else { nil } }
    }

    public init(lastSeen: String?, lastSeenSeq: Int64?, observer: Observer? = nil) {
        self.lastSeen = lastSeen
        self.lastSeenSeq = lastSeenSeq
        self.observer = observer
    }

    public var firstSeen: Bool { lastSeenSeq == nil }
}

/// Who ran the command: user, uid, the user sudo ran as, host, CI run.
/// (Not `Actor`, which would shadow Swift's `Actor` protocol.)
public struct EventActor: Equatable, Sendable {
    public var user: String
    public var uid: Int64
    public var sudoUser: String?
    public var host: String
    public var ci: CIIdentity?
    public init(user: String, uid: Int64, sudoUser: String?, host: String, ci: CIIdentity?) {
        self.user = user
        self.uid = uid
        self.sudoUser = sudoUser
        self.host = host
        self.ci = ci
    }
}

public struct CIIdentity: Equatable, Sendable {
    public var provider: String
    public var repository: String?
    public var runID: String?
    public var job: String?
    public init(provider: String, repository: String?, runID: String?, job: String?) {
        self.provider = provider
        self.repository = repository
        self.runID = runID
        self.job = job
    }
}

public struct Command: Equatable, Sendable {
    /// `blocked`: refused by the policy before it ran.
    public enum Outcome: String, Sendable { case ok, failed, interrupted, blocked }
    public var tool: String
    public var toolVersion: String?
    public var argv: [String]
    public var cwd: String
    public var exitStatus: Int64
    public var outcome: Outcome
    public init(tool: String, toolVersion: String?, argv: [String], cwd: String, exitStatus: Int64, outcome: Outcome) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.argv = argv
        self.cwd = cwd
        self.exitStatus = exitStatus
        self.outcome = outcome
    }
}

public struct Environment: Equatable, Sendable {
    public var prefix: String
    public var python: String?
    public var pythonVersion: String?
    public var platform: String?
    public var isVenv: Bool
    public var siteDirs: [String]
    public init(
        prefix: String, python: String?, pythonVersion: String?, platform: String?, isVenv: Bool, siteDirs: [String]
    ) {
        self.prefix = prefix
        self.python = python
        self.pythonVersion = pythonVersion
        self.platform = platform
        self.isVenv = isVenv
        self.siteDirs = siteDirs
    }
}

public struct Source: Equatable, Sendable {
    /// What a source is to the installer; an unknown word is kept (`StoredWord`).
    public enum Kind: StoredWord {
        case index
        case extraIndex
        case findLinks
        case noIndex
        case other(String)
        public static let words: [(word: String, value: Kind)] = [
            ("index", .index), ("extra-index", .extraIndex), ("find-links", .findLinks), ("no-index", .noIndex)
        ]
        public var otherWord: String? { if case .other(let w) = self { w } else { nil } }
    }

    public var kind: Kind
    public var url: String?
    /// argv | env:NAME | config:PATH
    public var origin: String
    public init(kind: Kind, url: String?, origin: String) {
        self.kind = kind
        self.url = url
        self.origin = origin
    }
}

public struct Artifact: Equatable, Sendable {
    public var url: String?
    public var sha256: String?
    public var filename: String?
    /// Where the hash came from (e.g. "pip-report"), so a reader can weigh it.
    public var hashSource: String?
    public init(url: String?, sha256: String?, filename: String?, hashSource: String?) {
        self.url = url
        self.sha256 = sha256
        self.filename = filename
        self.hashSource = hashSource
    }
}

public struct StartupHook: Equatable, Sendable {
    public var path: String
    public var sha256: String?
    /// A line starting with `import` runs at every interpreter start.
    public var executableImport: Bool
    /// What happened to the file; an unknown word is kept (`StoredWord`).
    public enum Status: StoredWord {
        case added
        case modified
        case removed
        case other(String)
        public static let words: [(word: String, value: Status)] = [
            ("added", .added), ("modified", .modified), ("removed", .removed)
        ]
        public var otherWord: String? { if case .other(let w) = self { w } else { nil } }
    }

    public var status: Status
    public init(path: String, sha256: String?, executableImport: Bool, status: Status) {
        self.path = path
        self.sha256 = sha256
        self.executableImport = executableImport
        self.status = status
    }
}

public struct Change: Equatable, Sendable {
    public enum Action: String, Sendable { case install, upgrade, downgrade, reinstall, remove }
    public var name: String
    public var action: Action
    public var fromVersion: String?
    public var toVersion: String?
    public var artifact: Artifact?
    public var recordSHA256: String?
    public var installer: String?
    public var requested: Bool?
    public var requiredBy: [String]
    public var startupHooks: [StartupHook]
    public init(
        name: String, action: Action, fromVersion: String?, toVersion: String?, artifact: Artifact?,
        recordSHA256: String?, installer: String?, requested: Bool?, requiredBy: [String], startupHooks: [StartupHook]
    ) {
        self.name = name
        self.action = action
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.artifact = artifact
        self.recordSHA256 = recordSHA256
        self.installer = installer
        self.requested = requested
        self.requiredBy = requiredBy
        self.startupHooks = startupHooks
    }
}

extension Event {
    /// The index a change came from: the first index source in force (pip's
    /// `--index-url`, uv's default index). The artifact's URL says which
    /// file; this says which index was asked.
    public var indexInForce: String? {
        sources.first(where: { $0.kind == .index })?.url
    }
}
