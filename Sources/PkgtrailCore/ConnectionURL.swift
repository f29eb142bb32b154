/// The rule every place that takes the central store's address keeps: a
/// `postgresql://` URL never carries a password (it would sit in shell
/// history, process listings, config files and unit files, and be printed
/// back); passwords live in libpq's password or service file.
public enum ConnectionURL {
    public static let passwordRefused =
        "the central store's URL holds a password: put it in ~/.pgpass (or PGPASSFILE) instead"

    /// Whether the userinfo of `scheme://user:password@host/…` has a password.
    public static func holdsPassword(_ text: String) -> Bool {
        let chars = Array(text)
        guard let sep = chars.indices.first(where: { chars[$0...].starts(with: [":", "/", "/"]) }) else {
            return false
        }
        let rest = chars[(sep + 3)...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].contains(":")
    }
}
