import PkgtrailCore

#if canImport(Glibc)
    import Glibc
#endif

/// One-line messages on stderr, prefixed like every pkgtrail message.
public enum Console {
    /// One line each: whatever a message quotes (a path, a package name, an
    /// error from SQLite) has its control characters escaped.
    public static func error(_ message: String) { line("", message) }
    public static func warning(_ message: String) { line("warning: ", message) }
    /// Not a problem, but worth a line: why a command is waiting.
    public static func note(_ message: String) { line("", message) }

    private static func line(_ kind: String, _ message: String) {
        var bytes = Array("pkgtrail: \(kind)\(ControlCharacters.escaped(message))\n".utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
