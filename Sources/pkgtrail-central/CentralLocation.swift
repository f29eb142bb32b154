import ArgumentParser
import PkgtrailCapture
import PkgtrailCentral
import PkgtrailCommandLine
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
        let configured: String?
        do { configured = try url ?? CentralConfig.load(env).url } catch { throw fail("\(error)") }
        guard let text = configured else {
            throw ValidationError(
                "no central store: give --central postgresql://USER@HOST/DB, set PKGTRAIL_CENTRAL, or put "
                    + "`url = …` in \(CentralConfig.path(env))")
        }
        var variables: [String: String] = [:]
        for name in [
            "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT", "PGPASSFILE", "PGSERVICE",
            "PGSERVICEFILE", "PGSYSCONFDIR", "USER"
        ] {
            variables[name] = env.nonEmpty(name)
        }
        let address = try CentralAddress(text, variables: variables) { name in
            try ServiceFile.settings(for: name, variables: variables, home: env.home)
        }
        return try CentralConnection(address, home: env.home)
    }

}
