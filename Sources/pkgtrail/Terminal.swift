/// Text for people, made safe for a terminal: control characters (ANSI
/// escapes among them) in names, paths or argv are shown escaped, never raw.
enum Terminal {
    static func safe(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                out += "\\x" + String(scalar.value, radix: 16, uppercase: false).leftPad(2)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    func leftPad(_ width: Int, _ fill: Character = "0") -> String {
        count >= width ? self : String(repeating: fill, count: width - count) + self
    }

    func rightPad(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
