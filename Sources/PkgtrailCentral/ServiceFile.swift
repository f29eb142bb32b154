import PkgtrailCore
import PkgtrailSystem

/// libpq's connection service file: `[name]` sections of `key=value` lines
/// (`#` comments), looked up in `PGSERVICEFILE` or `~/.pg_service.conf`,
/// then in `PGSYSCONFDIR/pg_service.conf` (Debian's libpq: /etc/postgresql-common).
/// A URL's `service=NAME` (or `PGSERVICE`) fills in what the URL leaves out.
/// A service may carry the password, as libpq allows; then, as for the
/// password file, a file others can read is refused.
public enum ServiceFile {
    /// The keys pkgtrail reads; libpq's others are refused by name, not ignored.
    static let known: Set<String> = [
        "host", "port", "dbname", "user", "password", "sslmode", "sslrootcert", "passfile", "application_name"
    ]

    /// The sections of a service file, by name.
    public static func parse(_ text: String, path: String) throws -> [String: [String: String]] {
        let parsed = try SettingLines.parse(
            text, path: path, sections: true, expecting: "expected `[service]` or `key=value` inside a service")
        var sections = Dictionary(parsed.sections.map { ($0, [String: String]()) }, uniquingKeysWith: { a, _ in a })
        for line in parsed.lines {
            guard known.contains(line.key) else {
                throw line.error(
                    "`\(line.key)` is a setting pkgtrail does not read (only " + known.sorted().joined(separator: ", ")
                        + ")", in: path)
            }
            sections[line.section!, default: [:]][line.key] = line.value
        }
        return sections
    }

    /// The settings of service `name`, from the first file that defines it.
    public static func settings(for name: String, variables: [String: String], home: String) throws -> [String: String]
    {
        let user = variables["PGSERVICEFILE"] ?? FileSystem.join(home, ".pg_service.conf")
        let system = FileSystem.join(variables["PGSYSCONFDIR"] ?? "/etc/postgresql-common", "pg_service.conf")
        for path in [user, system] {
            guard let st = FileSystem.stat(path), st.isRegular, let text = FileSystem.readText(path) else { continue }
            guard let found = try parse(text, path: path)[name] else { continue }
            if found["password"] != nil, st.mode & 0o077 != 0 {
                throw PkgtrailError(
                    .invalidInput,
                    "\(path) holds a password and others can read it: run `chmod 600 \(path)` (or keep the password "
                        + "in ~/.pgpass)")
            }
            return found
        }
        throw PkgtrailError(
            .invalidInput, "no service `\(name)` in \(user) or \(system): define it there, or give a full URL")
    }
}
