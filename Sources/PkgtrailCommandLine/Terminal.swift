import PkgtrailCore

#if canImport(Glibc)
    import Glibc
#endif

/// Text for people, made safe for a terminal: control characters (ANSI
/// escapes among them) in names, paths or argv are shown escaped, never raw.
public enum Terminal {
    public static func safe(_ s: String) -> String { ControlCharacters.escaped(s) }

    /// A variable the user sets for how output looks (PAGER, NO_COLOR, PKGTRAIL_PROGRESS…), as set.
    static func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

extension String {
    public func leftPad(_ width: Int, _ fill: Character = "0") -> String {
        count >= width ? self : String(repeating: fill, count: width - count) + self
    }

    public func rightPad(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
