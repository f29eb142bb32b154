/// Text bound for a terminal or a one-line message: C0 and C1 control
/// characters and DEL (ANSI escape sequences start with one) are shown as
/// `\xNN`, never written raw, wherever a name, path or argv came from.
public enum ControlCharacters {
    public static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F..<0xA0).contains(c.value)
    }
}
