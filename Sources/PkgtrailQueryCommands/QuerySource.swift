import ArgumentParser
import PkgtrailCommandLine
import PkgtrailCore

/// Where a query command asks: the local log (`--db`), or the fleet's
/// central store (`--central URL`, or `--fleet` for the one `pkgtrail push`
/// uses). The same command, the same output, either way.
public struct QuerySource: ParsableArguments {
    @OptionGroup public var location: LogLocation
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ask the fleet's central store at this postgresql:// URL instead of the local log (passwords from "
                + "~/.pgpass).", valueName: "url"))
    public var central: String?
    @Flag(help: "Ask the central store `pkgtrail push` uses ($PKGTRAIL_CENTRAL, else ~/.config/pkgtrail/central.conf).")
    public var fleet = false

    public init() {}

    /// nil: the local log; .some(nil): the configured central store; .some(url): that one.
    var centralChoice: String?? { central.map { .some($0) } ?? (fleet ? .some(nil) : nil) }

    public func validate() throws {
        if location.db != nil && (central != nil || fleet) {
            throw ValidationError("--db names a local log: give it or --central/--fleet, not both")
        }
        if central != nil && fleet { throw ValidationError("give --central URL or --fleet, not both") }
    }

    /// The options that make a command line a fleet query (the main binary
    /// hands those to `pkgtrail-central`).
    public static func asksCentral(_ arguments: [String]) -> Bool {
        for a in arguments {
            if a == "--" { return false }
            if a == "--central" || a.hasPrefix("--central=") || a == "--fleet" { return true }
        }
        return false
    }
}

/// How `pkgtrail-central` reaches the central store for the query commands
/// (it sets this before running one): the main binary links no PostgreSQL
/// client, and hands such command lines over before parsing them.
public enum FleetConnector {
    /// Given the URL (nil: the configured one), the store's answers.
    nonisolated(unsafe) public static var open: ((String?) throws -> any FleetQueries)?

    static func connect(_ url: String?) throws -> any FleetQueries {
        guard let open else {
            throw fail("this program cannot reach a central store: run `pkgtrail` (it hands fleet queries over)")
        }
        return try open(url)
    }
}
