import PkgtrailCore
import PkgtrailSystem

/// libpq's password file (`~/.pgpass`, or `PGPASSFILE`): lines of
/// `host:port:database:user:password`, `*` matching anything, `\:` and `\\`
/// escaped, the first matching line winning. Like libpq, a file that its
/// group or others can read is not used (and the reason is given).
public struct PassFile: Sendable {
    struct Entry: Sendable {
        var fields: [String]
    }

    let entries: [Entry]

    public init(text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            var fields: [String] = []
            var current = ""
            var escaped = false
            for ch in line {
                if escaped {
                    current.append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == ":" && fields.count < 4 {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(ch)
                }
            }
            fields.append(current)
            return fields.count == 5 ? Entry(fields: fields) : nil
        }
    }

    public func password(for address: CentralAddress) -> String? {
        let wanted = [address.host, String(address.port), address.database, address.user]
        for e in entries where zip(e.fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) {
            return e.fields[4]
        }
        return nil
    }

    /// The file libpq would read for `address`, if any; throws when it exists but may not be used.
    public static func load(for address: CentralAddress, home: String) throws -> PassFile? {
        let path = address.passFile ?? FileSystem.join(home, ".pgpass")
        guard let st = FileSystem.stat(path) else { return nil }
        guard st.isRegular else { throw PkgtrailError(.invalidInput, "\(path) is not a regular file") }
        guard st.mode & 0o077 == 0 else {
            throw PkgtrailError(
                .invalidInput, "\(path) can be read by others: libpq and pkgtrail ignore it; run `chmod 600 \(path)`")
        }
        guard let text = FileSystem.readText(path) else {
            throw PkgtrailError(.unreadable, "\(path) cannot be read")
        }
        return PassFile(text: text)
    }
}
