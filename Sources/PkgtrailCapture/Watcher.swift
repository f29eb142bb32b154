import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `pkgtrail watch`: records every change to a watched environment seconds
/// after it happens, whatever made it (an IDE's pip, `sudo pip`, poetry,
/// conda, a `.pth` dropped by hand).
///
/// It sleeps in `poll` on an inotify descriptor and a signal pipe: no timer
/// runs while nothing changes. A change to a site directory (a dist-info
/// created, renamed or deleted; a `.pth` written) starts a debounce; when the
/// writer has settled, the watcher takes the environment's lock (the one
/// recorded commands hold, so a shimmed install is recorded once, by its
/// shim), snapshots, and appends a drift event whose window runs from the
/// previous observation to now. The log is opened per observation and
/// closed after it; when it cannot be written the event is spooled, and the
/// spool retried every few seconds until it can.
public final class Watcher {
    public struct Options: Sendable {
        public var discover: [String]
        /// Levels below each `discover` root looked at for new venvs.
        public var depth: Int
        /// Quiet time after a change before the environment is looked at.
        public var settle: Double
        /// Longest a change waits while its writer never pauses.
        public var patience: Double

        public init(discover: [String] = [], depth: Int = 4, settle: Double = 1, patience: Double = 3) {
            self.discover = discover
            self.depth = depth
            self.settle = settle
            self.patience = patience
        }
    }

    /// What the watcher did, for the command to print.
    public enum Report {
        case started(environments: Int, directories: Int)
        case environmentAdded(prefix: String, by: String)
        case recorded(Event, EventSink.Outcome)
        case problem(String)
        case stopping(signal: Int32)
    }

    /// Something to look at once it has settled.
    enum Due: Hashable {
        case environment(String)
        /// The log changed: environments may have appeared in it.
        case log
        /// A directory below a discover root, at this depth.
        case discovery(String, Int)
        /// Events wait in the spool.
        case spool
    }

    static let unknownProcess =
        "seen by pkgtrail watch: which process made this change is not known (inotify does not say; fanotify, "
        + "which would, needs root)"

    let options: Options
    let sink: EventSink
    let actor: EventActor
    let env: ProcessEnvironment
    let registry: WatchRegistry
    let status: WatcherStatus
    private let report: (Report) -> Void
    private var debouncer: Debouncer<Due>
    private var environments: [String: Environment] = [:]
    /// When each environment was last found as the record says (taken
    /// before its snapshot, so a change during the scan falls after it).
    private var matchedAt: [String: String] = [:]
    /// What that look found and the environment's newest event then: the
    /// record when the log cannot be read, the reuse of `.pth` hashes, and,
    /// if no event came since, a metadata directory replaced at the same
    /// version is a reinstall nobody recorded.
    private var matchedSnapshot: [String: (snapshot: Snapshot, seq: Int64?)] = [:]
    /// Environments with an event that matters since their last look.
    private var dirty: Set<String> = []
    /// When the previous read of the event queue began.
    private var previousRead: String?
    private var roots: [String] = []
    /// Until then the log is not tried (it was locked or read-only just now).
    private var logRetryAt = 0.0
    private var stopped = false

    public init(
        options: Options, sink: EventSink, env: ProcessEnvironment, status: WatcherStatus,
        report: @escaping (Report) -> Void
    ) throws {
        self.options = options
        self.sink = sink
        self.status = status
        self.report = report
        self.env = env
        actor = ActorProbe.current(env: env)
        registry = try WatchRegistry()
        debouncer = Debouncer(settle: options.settle, patience: options.patience)
        roots = options.discover.map { FileSystem.realpath($0) ?? $0 }
    }

    public var watchedPrefixes: [String] { environments.keys.sorted() }

    /// Runs until SIGTERM or SIGINT. Every environment is looked at once at
    /// the start: what changed while no watcher ran is recorded then, with
    /// the wider window that honestly covers it.
    public func run() throws {
        let signals = try SignalPipe.install([SIGTERM, SIGINT, SIGHUP])
        // The log's directory exists from now on, so its first event is noticed.
        FileSystem.makeDirectories(FileSystem.dirname(sink.databasePath))
        registry.add(FileSystem.dirname(sink.databasePath), .log)
        loadEnvironmentsFromLog(announce: false)
        var directories = 0
        for root in roots { directories += discover(root, depth: 0, announce: false) }
        let now = Clock.monotonic()
        for prefix in environments.keys { debouncer.retry(.environment(prefix), at: now) }
        if !sink.spool.pendingPaths.isEmpty { debouncer.retry(.spool, at: now) }
        publishStatus()
        report(.started(environments: environments.count, directories: directories))
        if let e = registry.lastFailure {
            report(.problem("some directories are not watched: \(e) (raise fs.inotify.max_user_watches)"))
        }
        while !stopped {
            let wait = debouncer.nextDeadline.map { max(0, $0 - Clock.monotonic()) }
            let ready = Poll.readable([registry.inotify.fd, signals], timeout: wait)
            if ready.contains(signals) { handleSignals() }
            if ready.contains(registry.inotify.fd) {
                let readAt = Clock.now()
                handle(registry.inotify.drain(), at: Clock.monotonic(), readAt: readAt)
            }
            for due in debouncer.takeDue(at: Clock.monotonic()) where !stopped {
                process(due)
            }
        }
    }

    private func handleSignals() {
        for sig in SignalPipe.received() {
            if sig == SIGHUP {
                loadEnvironmentsFromLog(announce: true)
                for root in roots { _ = discover(root, depth: 0, announce: true) }
                publishStatus()
            } else {
                report(.stopping(signal: sig))
                stopped = true
            }
        }
    }

    // MARK: file events

    /// `readAt`: the wall time just before these events were read. The
    /// kernel queues an event in the very call that makes the change, so an
    /// environment with no event that matters in one read had not changed
    /// when that read began: the window of its next change starts there.
    func handle(_ events: [Inotify.Event], at now: Double, readAt: String) {
        defer { previousRead = readAt }
        for e in events {
            if e.overflowed {
                // Events were dropped: look at everything again.
                for prefix in environments.keys {
                    changed(prefix)
                    debouncer.touch(.environment(prefix), at: now)
                }
                for root in roots { debouncer.touch(.discovery(root, 0), at: now) }
                continue
            }
            guard let dir = registry.path(of: e.watch) else { continue }
            let roles = e.watchRemoved ? registry.lost(e.watch) : (registry.roles[e.watch] ?? [])
            for role in roles {
                switch role {
                case .site(let prefix):
                    let gone = e.watchRemoved || e.has(UInt32(IN_DELETE_SELF | IN_MOVE_SELF))
                    if gone || SiteEntry(name: e.name).matters { changed(prefix) }
                    // Any entry counts for settling (an install writes modules
                    // before its dist-info); a lost watch means the directory went.
                    debouncer.touch(.environment(prefix), at: now)
                    if gone { awaitSiteDirectories(prefix) }
                case .awaiting(let prefix):
                    if e.watchRemoved || e.has(UInt32(IN_DELETE_SELF | IN_MOVE_SELF)) {
                        awaitSiteDirectories(prefix)
                    } else if watchSiteDirectories(prefix) {
                        debouncer.touch(.environment(prefix), at: now)
                    }
                case .discovery(let depth):
                    if e.name == "pyvenv.cfg" {
                        debouncer.touch(.discovery(dir, depth), at: now)
                    } else if e.isDirectory, e.has(UInt32(IN_CREATE | IN_MOVED_TO)), depth < options.depth,
                        !VenvDiscovery.skipped.contains(e.name)
                    {
                        debouncer.touch(.discovery(FileSystem.join(dir, e.name), depth + 1), at: now)
                    }
                case .log:
                    let db = FileSystem.basename(sink.databasePath)
                    if e.name == db || e.name == db + "-wal" { debouncer.touch(.log, at: now) }
                }
            }
        }
    }

    func process(_ due: Due) {
        switch due {
        case .environment(let prefix): observe(prefix)
        case .log: loadEnvironmentsFromLog(announce: true)
        case .discovery(let dir, let depth): _ = discover(dir, depth: depth, announce: true)
        case .spool: retrySpool()
        }
    }

    // MARK: environments

    private func loadEnvironmentsFromLog(announce: Bool) {
        guard FileSystem.exists(sink.databasePath) else { return }
        let known: [Environment]
        do {
            let store = try TrailStore.openForReading(path: sink.databasePath)
            defer { try? store.close() }
            known = try store.knownEnvironments(host: actor.host)
        } catch {
            report(.problem("could not read the environments from \(sink.databasePath): \(error)"))
            return
        }
        var added = false
        for environment in known where environments[environment.prefix] == nil {
            add(environment, by: "the log", announce: announce)
            added = true
        }
        if added { publishStatus() }
    }

    private func add(_ environment: Environment, by how: String, announce: Bool) {
        environments[environment.prefix] = environment
        if !watchSiteDirectories(environment.prefix) { awaitSiteDirectories(environment.prefix) }
        if announce {
            report(.environmentAdded(prefix: environment.prefix, by: how))
            debouncer.touch(.environment(environment.prefix), at: Clock.monotonic())
        }
    }

    /// Watches every site directory of the environment; false when one is missing.
    @discardableResult
    private func watchSiteDirectories(_ prefix: String) -> Bool {
        guard let environment = environments[prefix] else { return false }
        var all = true
        for dir in environment.siteDirs where !registry.add(dir, .site(prefix: prefix)) { all = false }
        if all { registry.removeEverywhere(.awaiting(prefix: prefix)) }
        return all
    }

    /// A site directory is missing: watch the nearest ancestor that exists,
    /// so its return (a venv re-created in place) is noticed.
    private func awaitSiteDirectories(_ prefix: String) {
        guard let environment = environments[prefix] else { return }
        for dir in environment.siteDirs where !FileSystem.exists(dir) {
            var up = FileSystem.dirname(dir)
            while up != "/" && !registry.add(up, .awaiting(prefix: prefix)) { up = FileSystem.dirname(up) }
        }
        // It may have come back between the event and the watch.
        if environment.siteDirs.allSatisfy(FileSystem.exists) { watchSiteDirectories(prefix) }
    }

    /// Walks `dir` for venvs; the number of directories now watched for new ones.
    private func discover(_ dir: String, depth: Int, announce: Bool) -> Int {
        let found = VenvDiscovery.walk(dir, depth: options.depth, startDepth: depth)
        for d in found.directories { registry.add(d.path, .discovery(depth: d.depth)) }
        var added = false
        let enclosing = VenvDiscovery.enclosing(dir, levels: min(3, depth)).map { [$0] } ?? []
        for environment in found.environments + enclosing where environments[environment.prefix] == nil {
            add(environment, by: "--discover", announce: announce)
            added = true
        }
        if added && announce { publishStatus() }
        return found.directories.count
    }

    // MARK: observing

    /// The first event since the last look that can change the record: the
    /// environment was as that look found it when the previous read began.
    private func changed(_ prefix: String) {
        guard dirty.insert(prefix).inserted, matchedSnapshot[prefix] != nil, let before = previousRead else { return }
        matchedAt[prefix] = max(matchedAt[prefix] ?? before, before)
    }

    private func matched(_ prefix: String, at time: String, _ snapshot: Snapshot, seq: Int64?) {
        matchedAt[prefix] = time
        matchedSnapshot[prefix] = (snapshot, seq)
    }

    /// One look at an environment, under its lock.
    func observe(_ prefix: String) {
        guard let environment = environments[prefix] else { return }
        var lock: EnvironmentLock?
        switch EnvironmentLock.attempt(prefix: prefix) {
        case .busy:
            // A recorded command is running there; its own event covers it.
            debouncer.retry(.environment(prefix), at: Clock.monotonic() + 0.25)
            return
        case .unavailable: lock = nil  // the prefix is gone: what it held is recorded as removed
        case .acquired(let held): lock = held
        }
        defer { lock?.release() }
        let lookedAt = Clock.now()
        dirty.remove(prefix)
        let snapshot = SiteScanner.scan(environment.siteDirs, reusing: matchedSnapshot[prefix]?.snapshot).snapshot
        let opened: Result<TrailStore, Error> =
            Clock.monotonic() < logRetryAt
            ? .failure(PkgtrailError(.locked, "the log could not be written a moment ago"))
            : sink.open(busyTimeout: 1)
        defer { if case .success(let store) = opened { try? store.close() } }
        var pending: [Event] = []
        if case .failure = opened {
            logUnavailable()
            pending = sink.spool.pendingEvents().filter {
                $0.environment.prefix == prefix && $0.actor.host == actor.host
            }
        }
        let found: (event: Event?, newest: Int64?)
        do {
            found = try compare(environment, snapshot, opened: opened, pending: pending)
        } catch {
            report(.problem("\(prefix): \(error); trying again in 5 s"))
            debouncer.retry(.environment(prefix), at: Clock.monotonic() + 5)
            return
        }
        guard var event = found.event else {
            matched(prefix, at: lookedAt, snapshot, seq: found.newest)
            return
        }
        event.notes.append(Self.unknownProcess)
        let outcome = sink.persist([event], opened: opened)
        switch outcome {
        case .logged(let stored):
            matched(prefix, at: lookedAt, snapshot, seq: stored.last?.event.seq ?? found.newest)
            BackgroundPush.afterCommit(env: env, databasePath: sink.databasePath)
        case .spooled:
            matched(prefix, at: lookedAt, snapshot, seq: found.newest)
            logUnavailable()
        case .lost:
            matchedAt[prefix] = nil
            matchedSnapshot[prefix] = nil
        }
        report(.recorded(event, outcome))
    }

    /// The drift event, if any, and the environment's newest event in the
    /// record: against the log when it can be read (opened for writing, or
    /// else for reading), or, when it cannot be read at all, against what
    /// the last matching look found, which was the record then.
    private func compare(
        _ environment: Environment, _ snapshot: Snapshot, opened: Result<TrailStore, Error>,
        pending: [Event]
    ) throws -> (event: Event?, newest: Int64?) {
        let prefix = environment.prefix
        var observation = DriftDetector.Observation(
            observer: .watch, pending: pending, matchedAt: matchedAt[prefix], artifacts: DirectURLArtifacts(),
            baseline: true)
        let reader: TrailStore?
        switch opened {
        case .success(let store): reader = store
        case .failure: reader = try? TrailStore.openForReading(path: sink.databasePath)
        }
        defer { if case .failure = opened { try? reader?.close() } }
        if let reader {
            let logged = try reader.lastSeen(host: actor.host, prefix: prefix)
            observation.reinstalled = reinstalls(prefix, snapshot, newest: logged?.seq, pending: pending)
            let event = try DriftDetector.check(
                store: reader, logged: logged, environment: environment, snapshot: snapshot, actor: actor,
                now: Clock.now(), observation)
            return (event, logged?.seq)
        }
        guard let known = matchedSnapshot[prefix] else {
            throw PkgtrailError(.unreadable, "the log cannot be read and this environment was not looked at before")
        }
        var state = RecordedState()
        state.versions = known.snapshot.distributions.mapValues(\.version)
        state.startupFiles = known.snapshot.startupFiles.mapValues(\.sha256)
        observation.reinstalled = reinstalls(prefix, snapshot, newest: known.seq, pending: pending)
        let record = DriftDetector.Record(state: state, newestSeq: known.seq, newestFinished: nil)
        let event = DriftDetector.compare(
            record, environment: environment, snapshot: snapshot, actor: actor, now: Clock.now(), observation)
        return (event, known.seq)
    }

    /// Same-version distributions whose metadata directory was replaced since
    /// the last matching look, when nothing was recorded there since.
    private func reinstalls(_ prefix: String, _ snapshot: Snapshot, newest: Int64?, pending: [Event])
        -> [DistributionDelta]
    {
        guard let previous = matchedSnapshot[prefix], previous.seq == newest, pending.isEmpty else { return [] }
        return previous.snapshot.deltas(to: snapshot).filter {
            guard $0.action == .reinstall, let before = $0.before, let after = $0.after else { return false }
            return SiteScanner.replaced(before, by: after)
        }
    }

    private func logUnavailable() {
        let now = Clock.monotonic()
        logRetryAt = now + 2
        debouncer.retry(.spool, at: logRetryAt)
    }

    private func retrySpool() {
        guard !sink.spool.pendingPaths.isEmpty else { return }
        switch sink.open(busyTimeout: 1) {
        case .success(let store):
            try? store.close()
            logRetryAt = 0
        case .failure:
            logUnavailable()
        }
    }

    private func publishStatus() {
        status.publish(environments: watchedPrefixes, discover: roots, databasePath: sink.databasePath)
    }
}
