extension StringProtocol {
    /// `%XX` escapes decoded (RFC 3986), as found in artifact URLs and
    /// connection URLs; a `%` not followed by two hex digits stays as it is.
    public var removingPercentEscapes: String {
        var out: [UInt8] = []
        let u = Array(utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count,
                let h = UInt8(String(decoding: u[i + 1...i + 2], as: UTF8.self), radix: 16)
            {
                out.append(h)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
