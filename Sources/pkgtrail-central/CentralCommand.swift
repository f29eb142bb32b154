import ArgumentParser
import PkgtrailCentral
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

struct CentralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "central",
        abstract: "The fleet's central store on PostgreSQL: set it up, see who pushes, verify what it holds.",
        subcommands: [CentralInitCommand.self, CentralStatusCommand.self, CentralVerifyCommand.self])
}

struct CentralInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create or upgrade the central store's schema, its push function and its two roles.",
        discussion: """
            Run it as the database's owner. It creates the schema `pkgtrail`, the function hosts push \
            through (which checks every row's hash, sequence and link to the stored head in the database \
            and records refusals as alerts), and the roles pkgtrail_host (may only push and read its own \
            head) and pkgtrail_reader (may only read). Grant them to login roles: \
            `CREATE ROLE laptop1 LOGIN IN ROLE pkgtrail_host PASSWORD '…'`. Running it again applies only \
            what is missing.
            """)

    @Option(name: .long, help: "The central store, a postgresql:// URL (default: $PKGTRAIL_CENTRAL).")
    var db: String?
    @OptionGroup var location: CentralLocation
    @Option(help: "Apply the migrations up to this schema version only (default: all; for a staged upgrade).")
    var toVersion: Int?

    func validate() throws {
        if let toVersion, !(1...CentralStore.migrationCount).contains(toVersion) {
            throw ValidationError(
                "--to-version \(toVersion): this pkgtrail knows versions 1 to \(CentralStore.migrationCount)")
        }
    }

    func run() throws {
        let db = try location.connect(given: db)
        defer { db.close() }
        let applied = try CentralStore.migrate(db, upTo: toVersion ?? CentralStore.migrationCount)
        let version = try CentralStore.version(db)
        let done = applied.map(String.init).joined(separator: ", ")
        emit(
            applied.isEmpty
                ? "\(db.address): the schema is current (version \(version))"
                : "\(db.address): schema version \(version) (applied \(done))")
        emit("roles: pkgtrail_host (hosts: push only), pkgtrail_reader (responders: read only)")
    }
}

struct CentralStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Hosts, their heads and last pushes, refused pushes and alerts, hosts gone silent.")

    @OptionGroup var location: CentralLocation
    @Option(help: "A host that has not pushed for this many days is listed as silent.")
    var silentDays = 7
    @Option(help: "How many of the newest alerts to list.")
    var alerts = 20
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let db = try location.connect()
        defer { db.close() }
        let audit = CentralAudit(db)
        let hosts = try audit.hosts()
        let alerts = try audit.alerts(limit: alerts)
        let silent = hosts.filter { $0.silentFor > Int64(silentDays) * 86_400 }
        if json {
            let body: JSONValue = .object([
                "hosts": .array(
                    hosts.map { h in
                        .object([
                            "host": .string(h.host), "head": .int(h.head), "first_push": .string(h.firstPush),
                            "last_push": .string(h.lastPush), "silent": .bool(h.silentFor > Int64(silentDays) * 86_400),
                            "seconds_since_last_push": .int(h.silentFor), "newest_event": .optional(h.newestEvent),
                            "refused": .int(h.refused), "key": .string(h.keyName)
                        ])
                    }),
                "alerts": .array(
                    alerts.map { a in
                        .object([
                            "at": .string(a.at), "host": .string(a.host), "kind": .string(a.kind),
                            "detail": .string(a.detail)
                        ])
                    })
            ])
            emitJSON(try CanonicalJSON.encode(body))
            return
        }
        emit(
            Terminal.safe("\(db.address): \(hosts.count) host\(hosts.count == 1 ? "" : "s"), \(alerts.count) alert(s)"))
        for h in hosts {
            let refused = h.refused > 0 ? "; \(h.refused) REFUSED push(es)" : ""
            let quiet = h.silentFor > Int64(silentDays) * 86_400 ? "; SILENT for over \(silentDays) days" : ""
            emit(
                Terminal.safe(
                    "  \(h.host)  head \(h.head) (newest event \(h.newestEvent ?? "none"))  last push \(h.lastPush) "
                        + "(\(Self.age(h.silentFor)) ago)  key \(h.keyName)\(refused)\(quiet)"))
        }
        for a in alerts {
            emit(Terminal.safe("  ALERT \(a.at) \(a.host) \(a.kind): \(a.detail)"))
        }
        if !silent.isEmpty {
            emit("\(silent.count) host(s) silent for over \(silentDays) days")
        }
    }
}

extension CentralStatusCommand {
    /// Seconds as people say them: 40 s, 12 min, 5 h, 3 d.
    static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: return "\(max(0, seconds)) s"
        case ..<7_200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3_600) h"
        default: return "\(seconds / 86_400) d"
        }
    }
}

struct CentralVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every host's chain in the central store and check each stored checkpoint.",
        discussion: "Exit 0 every chain intact, 1 a chain, head or checkpoint does not hold, 2 could not check.")

    @OptionGroup var location: CentralLocation
    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let db = try location.connect()
        defer { db.close() }
        let verdicts = try CentralAudit(db).verify()
        if json {
            emitJSON(
                try CanonicalJSON.encode(
                    .array(
                        verdicts.map { v in
                            .object([
                                "host": .string(v.host), "events": .int(v.events), "intact": .bool(v.problems.isEmpty),
                                "problems": .strings(v.problems), "checkpoint_size": .optional(v.checkpointSize)
                            ])
                        })))
        } else {
            for v in verdicts {
                let checkpoint = v.checkpointSize.map { ", its checkpoint at \($0) verifies" } ?? ""
                emit(
                    Terminal.safe(
                        v.problems.isEmpty
                            ? "\(v.host): \(v.events) events, chain intact\(checkpoint)"
                            : "\(v.host): TAMPERED: " + v.problems.joined(separator: "; ")))
            }
            emit("\(verdicts.count) host log(s) checked in \(db.address)")
        }
        if verdicts.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(ExitStatus.verdict) }
    }
}
