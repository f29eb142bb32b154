/// PEP 503 name normalization: runs of `-`, `_` and `.` become one `-`, and
/// letters are lowercased. Every name in the log and in every query goes
/// through here, so `Foo.Bar`, `foo_bar` and `FOO-bar` are one package.
public enum PackageName {
    public static func normalize(_ name: String) -> String {
        // Fast path: names are almost always ASCII.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        var ascii = true
        var pending = false
        for b in name.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            if b == 0x2D || b == 0x5F || b == 0x2E {
                pending = true
                continue
            }
            if pending && !bytes.isEmpty { bytes.append(0x2D) }
            pending = false
            bytes.append(b >= 0x41 && b <= 0x5A ? b + 32 : b)
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
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
