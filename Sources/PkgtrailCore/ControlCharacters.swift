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

    /// Whether any byte is DEL or 0xC2 (which leads every C1 control's
    /// UTF-8 form), eight bytes at a time: an audit's 200 MB answer is
    /// looked through once, and almost never holds one.
    static func mayHoldC1OrDEL(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { b in
            let ones: UInt64 = 0x0101_0101_0101_0101
            var i = 0
            while i + 8 <= b.count {
                let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                let del = w ^ (ones &* 0x7F)
                let c2 = w ^ (ones &* 0xC2)
                // Nonzero exactly when some byte of `del` or `c2` is zero.
                if (((del &- ones) & ~del) | ((c2 &- ones) & ~c2)) & (ones &* 0x80) != 0 { return true }
                i += 8
            }
            return b[i...].contains { $0 == 0x7F || $0 == 0xC2 }
        }
    }

    /// JSON text with DEL and the C1 controls (U+007F–U+009F) written as
    /// `\u00XX`. JSON lets them stand raw, and canonical bodies keep them
    /// so (their hash depends on it), but a terminal may act on U+009B as
    /// it does on ESC [. Outside strings JSON text is ASCII, so every such
    /// byte is inside a string and the escape means the same character.
    public static func escapedInJSON(_ text: [UInt8]) -> [UInt8] {
        guard mayHoldC1OrDEL(text) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 16)
        var i = 0
        while i < text.count {
            let b = text[i]
            if b == 0x7F || (b == 0xC2 && i + 1 < text.count && (0x80...0x9F).contains(text[i + 1])) {
                out += Array("\\u00\(Hex.encode([b == 0x7F ? 0x7F : text[i + 1]]))".utf8)
                i += b == 0x7F ? 1 : 2
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }
}
