import ArgumentParser
import PkgtrailCapture
import PkgtrailCentral
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailStore
import PkgtrailSystem

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send this host's log to the central store: what it has not acknowledged yet, in batches.",
        discussion: """
            Each batch is checked by the central store as it arrives (hashes, sequence, the link to what \
            it holds) and carries a checkpoint of its head signed with this host's key (`pkgtrail key \
            init`), to which the host's log is bound at its first push. A push cut off midway resumes \
            where the store's acknowledged head is; pushing twice stores nothing twice. One push runs at \
            a time per log. With `push = after-install` in ~/.config/pkgtrail/central.conf each recorded \
            install starts one in the background; else run it from cron or systemd (--print-systemd-unit).
            """)

    @OptionGroup var central: CentralLocation
    @OptionGroup var location: LogLocation
    @Option(help: "The host name the log is pushed as (default: this machine's).")
    var host: String?
    @Option(help: "The private key checkpoints are signed with (default: $XDG_CONFIG_HOME/pkgtrail/checkpoint.key).")
    var key: String?
    @Option(help: "Events per batch (one transaction each).")
    var batch = 1000
    @Flag(help: "Print a systemd user service and timer that push every 15 minutes, and exit.")
    var printSystemdUnit = false
    @Flag(
        help: ArgumentHelp(
            "What a recorded install starts: wait behind a running push (or leave, when another already waits), "
                + "print nothing, keep the outcome for `pkgtrail doctor`.", visibility: .hidden))
    var background = false

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch \(batch): use 1 to 100000") }
    }

    func run() throws {
        let env = ProcessEnvironment.current()
        let path = location.db ?? env.databasePath
        if printSystemdUnit {
            if let url = central.central, ConnectionURL.holdsPassword(url) {
                throw ValidationError(ConnectionURL.passwordRefused)
            }
            return emit(systemdUnits(env: env))
        }
        let queue = BackgroundPush(databasePath: path, stateDirectory: env.stateDirectory)
        guard background else {
            do { _ = try queue.acquire(background: false) } catch { throw fail("\(error)") }
            return emit(try push(env: env, path: path))
        }
        do {
            guard try queue.acquire(background: true) != nil else { return }
            queue.record("ok: " + (try push(env: env, path: path)))
        } catch {
            queue.record("failed: \(error)")
        }
    }

    /// Pushes what the store lacks; what happened, in one line.
    func push(env: ProcessEnvironment, path: String) throws -> String {
        let host = host ?? ActorProbe.hostname()
        let signer: SignedNote.Signer
        do { signer = try KeyFiles(env: env, privatePath: key).signer() } catch { throw fail("\(error)") }
        let verifier = signer.verifier.encoded
        let local: TrailStore
        do { local = try TrailStore.openForReading(path: path) } catch { throw fail("\(error)") }
        defer { try? local.close() }
        let connection = try central.connect()
        defer { connection.close() }
        let push = CentralPush(connection)
        do {
            let localHead = try local.head()
            let start = try push.head(host: host)
            if let start {
                guard start.verifier == verifier else {
                    throw PkgtrailError(
                        .invalidInput,
                        "\(host)'s log in the central store is bound to another checkpoint key: push with that key")
                }
                try Self.check(local, extends: start, host: host)
            }
            var head = start?.seq ?? 0
            let first = head
            if head == localHead.seq {
                // Nothing new: an empty push, so the store knows this host is there.
                head = try push.send(host: host, verifier: verifier, checkpoint: nil, rows: [])
            }
            // Never from a push a recorded install started: it prints nothing.
            let progress = Progress("pushing", unit: "events", total: localHead.seq - head, silent: background)
            defer { progress.finish() }
            while head < localHead.seq {
                var filter = EventFilter()
                filter.minSeq = head + 1
                filter.maxSeq = min(localHead.seq, head + Int64(batch))
                var rows: [StoredRecord] = []
                try local.eachStored(filter) { rows.append($0) }
                guard let last = rows.last else { break }
                let note = try signer.sign(Checkpoint(origin: host + "/pkgtrail", size: last.seq, head: last.hash).text)
                head = try push.send(host: host, verifier: verifier, checkpoint: note, rows: rows)
                progress.update(head - first)
            }
            return head == first
                ? "\(host): nothing to push; the central store holds all \(head) events (\(connection.address))"
                : "\(host): pushed events \(first + 1)…\(head) to \(connection.address); its head is \(head)"
        } catch let e as PkgtrailError {
            throw e
        } catch {
            throw fail("\(error)")
        }
    }

    /// The central head must be a row of this log, as stored here: else the
    /// local log was reset or rewritten since (or it is another log), and
    /// pushing would only be refused.
    static func check(_ local: TrailStore, extends head: CentralPush.Head, host: String) throws {
        guard head.seq > 0 else { return }
        var filter = EventFilter()
        filter.minSeq = head.seq
        filter.maxSeq = head.seq
        var here: [UInt8]?
        try local.eachStored(filter) { here = $0.hash }
        guard here == head.hash else {
            throw PkgtrailError(
                .invalidInput,
                "this log does not extend \(host)'s log in the central store (its event \(head.seq) is "
                    + (here == nil ? "missing here" : "different here")
                    + "): it was reset or rewritten, or it is another log; nothing was pushed")
        }
    }

    /// A oneshot service running this push and a timer that starts it every
    /// 15 minutes (and soon after boot, catching up on missed runs): an
    /// offline laptop pushes everything when it is back.
    func systemdUnits(env: ProcessEnvironment) -> String {
        // `pkgtrail`, beside this program: the name users run.
        let program = FileSystem.join(FileSystem.dirname(CommandLine.arguments[0]), "pkgtrail")
        var words = [program, "push"]
        if let db = location.db { words += ["--db", FileSystem.absolute(db, cwd: FileSystem.cwd())] }
        if let host { words += ["--host", host] }
        if let key { words += ["--key", FileSystem.absolute(key, cwd: FileSystem.cwd())] }
        if let url = central.central { words += ["--central", url] }
        return """
            # pkgtrail push as a systemd user service and timer. Install them with:
            #   pkgtrail push --print-systemd-unit | csplit -s -f pkgtrail-push - '/^# --- timer/'
            #   mv pkgtrail-push00 ~/.config/systemd/user/pkgtrail-push.service
            #   mv pkgtrail-push01 ~/.config/systemd/user/pkgtrail-push.timer
            #   systemctl --user daemon-reload && systemctl --user enable --now pkgtrail-push.timer
            # Passwords come from ~/.pgpass (or PGPASSFILE), never from these files.
            [Unit]
            Description=pkgtrail push: send this host's log to the central store

            [Service]
            Type=oneshot
            ExecStart=\(SystemdUnit.commandLine(words))

            # --- timer: pkgtrail-push.timer
            [Unit]
            Description=pkgtrail push every 15 minutes

            [Timer]
            OnBootSec=2min
            OnUnitActiveSec=15min
            Persistent=true

            [Install]
            WantedBy=timers.target
            """
    }
}
