/// PEP 503 name normalization: runs of `-`, `_` and `.` become one `-`, and
/// letters are lowercased. Every name in the log and in every query goes
/// through here, so `Foo.Bar`, `foo_bar` and `FOO-bar` are one package.
public enum PackageName {
    public static func normalize(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        var pendingSeparator = false
        for ch in name.unicodeScalars {
            if ch == "-" || ch == "_" || ch == "." {
                pendingSeparator = true
                continue
            }
            if pendingSeparator && !out.isEmpty { out.append("-") }
            pendingSeparator = false
            out.unicodeScalars.append(contentsOf: String(ch).lowercased().unicodeScalars)
        }
        return out
    }
}
