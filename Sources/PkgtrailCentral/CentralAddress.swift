import PkgtrailCore

/// Where the central store is: a libpq connection URI
/// (`postgresql://user@host:port/dbname?sslmode=verify-full`), with libpq's
/// environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
/// `PGSSLMODE`, `PGSSLROOTCERT`, `PGPASSFILE`) for what it leaves out. A
/// password in the URL is refused: it would sit in shell history and in
/// process listings; it belongs in `~/.pgpass` (or `PGPASSFILE`), or in a
/// connection service file (`service=NAME` or `PGSERVICE`), whose settings
/// come after the URL's and before the variables, as in libpq.
public struct CentralAddress: Equatable, Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable
        /// Encrypt when the server can, verify nothing (libpq's default).
        case prefer
        /// Encrypt, verify nothing (libpq's `require`).
        case require
        /// Encrypt and check the chain and the host name (libpq's `verify-full`).
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    public var rootCertificate: String?
    public var passFile: String?
    /// The service file's password, when the service names one (never shown).
    var servicePassword: String?

    /// `variables`: the process's allowlisted environment (PG* and USER);
    /// `service`: the settings of a named connection service.
    public init(
        _ text: String, variables: [String: String],
        service: (String) throws -> [String: String] = { name in
            throw PkgtrailError(.invalidInput, "service `\(name)`: no service file is read here")
        }
    ) throws {
        func setting(_ name: String) -> String? { variables[name].flatMap { $0.isEmpty ? nil : $0 } }
        var rest = Substring(text)
        guard let scheme = ["postgresql://", "postgres://"].first(where: { rest.hasPrefix($0) }) else {
            throw PkgtrailError(.usage, "the central store's address must be a postgresql:// URL")
        }
        guard !ConnectionURL.holdsPassword(text) else { throw PkgtrailError(.usage, ConnectionURL.passwordRefused) }
        rest = rest.dropFirst(scheme.count)
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query[String(kv[0])] = kv.count == 2 ? kv[1].removingPercentEscapes : ""
            }
            rest = rest[..<q]
        }
        let serviceName = query["service"] ?? setting("PGSERVICE")
        let fromService = try serviceName.map(service) ?? [:]
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...].removingPercentEscapes
            rest = rest[..<slash]
        }
        var userPart: String?
        if let at = rest.lastIndex(of: "@") {
            userPart = rest[..<at].removingPercentEscapes
            rest = rest[rest.index(after: at)...]
        }
        var hostPart = String(rest)
        var portPart: String?
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            portPart = String(hostPart[hostPart.index(after: colon)...])
            hostPart = String(hostPart[..<colon])
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") { hostPart = String(hostPart.dropFirst().dropLast()) }
        guard let host = hostPart.isEmpty ? fromService["host"] ?? setting("PGHOST") : hostPart, !host.hasPrefix("/")
        else {
            throw PkgtrailError(.usage, "the central store's URL names no host (and PGHOST is not set)")
        }
        guard let port = Int(portPart ?? fromService["port"] ?? setting("PGPORT") ?? "5432"), (1...65535).contains(port)
        else {
            throw PkgtrailError(.usage, "the central store's URL has a port that is not a number from 1 to 65535")
        }
        guard let user = userPart ?? fromService["user"] ?? setting("PGUSER") ?? setting("USER") else {
            throw PkgtrailError(.usage, "the central store's URL names no user (and PGUSER is not set)")
        }
        let modeText = query["sslmode"] ?? fromService["sslmode"] ?? setting("PGSSLMODE") ?? "prefer"
        let mode: TLSMode
        switch modeText {
        case "disable": mode = .disable
        case "allow", "prefer": mode = .prefer
        case "require": mode = .require
        case "verify-full", "verify-ca": mode = .verifyFull
        default:
            throw PkgtrailError(.usage, "sslmode=\(modeText) is not one of disable, prefer, require, verify-full")
        }
        for key in query.keys where !["sslmode", "sslrootcert", "passfile", "application_name", "service"].contains(key)
        {
            throw PkgtrailError(
                .usage,
                "the central store's URL has `\(key)`, which pkgtrail does not read (only sslmode, "
                    + "sslrootcert, passfile, service)")
        }
        self.host = host
        self.port = port
        self.user = user
        self.database = path.isEmpty ? (fromService["dbname"] ?? setting("PGDATABASE") ?? user) : path
        self.tls = mode
        self.rootCertificate = query["sslrootcert"] ?? fromService["sslrootcert"] ?? setting("PGSSLROOTCERT")
        self.passFile = query["passfile"] ?? fromService["passfile"] ?? setting("PGPASSFILE")
        self.servicePassword = fromService["password"]
    }

    /// The address as it may be shown: never a password, since none is held.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }
}
