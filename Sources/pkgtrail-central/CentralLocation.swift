import ArgumentParser
import PkgtrailCentral
import PkgtrailCore
import PkgtrailSystem

/// Where the central store is: the option, else `PKGTRAIL_CENTRAL`, else the
/// `url = …` line of `${XDG_CONFIG_HOME:-~/.config}/pkgtrail/central.conf`.
struct CentralLocation: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The central store, a postgresql:// URL (default: $PKGTRAIL_CENTRAL, else the url in "
                + "~/.config/pkgtrail/central.conf); passwords from ~/.pgpass."))
    var central: String?

    func connect(given: String? = nil) throws -> CentralConnection { try Self.connect(to: given ?? central) }

    /// `url`, else the configured store.
    static func connect(to url: String?) throws -> CentralConnection {
        let env = ProcessEnvironment.current()
        let configFile = (env.nonEmpty("XDG_CONFIG_HOME") ?? env.home + "/.config") + "/pkgtrail/central.conf"
        guard let text = url ?? env.nonEmpty("PKGTRAIL_CENTRAL") ?? Self.configured(configFile) else {
            throw ValidationError(
                "no central store: give --central postgresql://USER@HOST/DB, set PKGTRAIL_CENTRAL, or put "
                    + "`url = …` in \(configFile)")
        }
        var variables: [String: String] = [:]
        for name in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT", "PGPASSFILE", "USER"] {
            variables[name] = env.nonEmpty(name)
        }
        return try CentralConnection(CentralAddress(text, variables: variables), home: env.home)
    }

    static func configured(_ path: String) -> String? {
        guard let text = FileSystem.readText(path) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0.trimmingSpaces) }
            if parts.count == 2, parts[0] == "url" { return parts[1] }
        }
        return nil
    }
}
