import ArgumentParser
import PkgtrailCentral
import PkgtrailCommandLine
import PkgtrailCore
import PkgtrailSystem

struct CentralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "central",
        abstract: "Set up the fleet's central store on PostgreSQL.",
        subcommands: [CentralInitCommand.self])
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

    func run() throws {
        let db = try location.connect(given: db)
        defer { db.close() }
        let applied = try CentralStore.migrate(db)
        let version = try CentralStore.version(db)
        emit(
            applied.isEmpty
                ? "\(db.address): the schema is current (version \(version))"
                : "\(db.address): schema version \(version) (applied \(applied.map(String.init).joined(separator: ", ")))"
        )
        emit("roles: pkgtrail_host (hosts: push only), pkgtrail_reader (responders: read only)")
    }
}
