/// RFC 4648 base64: the standard alphabet with padding (signed notes,
/// checkpoints) and the URL-safe one without (wheel RECORD hashes).
public enum Base64 {
    static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8], urlSafe: Bool = false, padded: Bool = true) -> String {
        let alphabet = urlSafe ? url : standard
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let take = min(3, bytes.count - i)
            var n = UInt32(bytes[i]) << 16
            if take > 1 { n |= UInt32(bytes[i + 1]) << 8 }
            if take > 2 { n |= UInt32(bytes[i + 2]) }
            for k in 0..<4 {
                if k <= take {
                    out.append(alphabet[Int(n >> (18 - 6 * k) & 63)])
                } else if padded {
                    out.append(UInt8(ascii: "="))
                }
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding of padded standard base64: anything else is nil.
    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 4 == 0 else { return nil }
        var value = [Int16](repeating: -1, count: 256)
        for (i, c) in standard.enumerated() { value[Int(c)] = Int16(i) }
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            let pad = i + 4 == u.count ? u[i..<i + 4].reversed().prefix { $0 == UInt8(ascii: "=") }.count : 0
            guard pad <= 2 else { return nil }
            var n: UInt32 = 0
            for k in 0..<4 {
                let c = u[i + k]
                if k >= 4 - pad {
                    n <<= 6
                    continue
                }
                guard value[Int(c)] >= 0 else { return nil }
                n = n << 6 | UInt32(value[Int(c)])
            }
            out.append(UInt8(n >> 16 & 0xFF))
            if pad < 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if pad < 1 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        guard encode(out) == text else { return nil }  // canonical form only (no stray bits)
        return out
    }
}
