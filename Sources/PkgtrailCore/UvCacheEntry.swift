/// A uv cache entry (`wheels-v8/…/*.http`, `sdists-v11/…/revision.http`), read
/// only for the sha256 uv verified: uv's internal, unversioned format, which
/// anyone who can write the cache can forge, so it is parsed without I/O and
/// fuzzed. Its leading msgpack array is a wheel's
/// `[archive id, [{"Sha256": hex}], filename, …]`, an sdist revision's
/// `[revision id, [{"Sha256": hex}], …]`; then uv's own binary data, in
/// which the download URL appears as plain bytes.
public struct UvCacheEntry: Equatable, Sendable {
    public let sha256: String
    public let filename: String?
    public let url: String?

    public init?(bytes: [UInt8]) {
        var r = MsgPackReader(bytes)
        guard let count = r.arrayHeader(), count >= 2, r.string() != nil,
            let hashCount = r.arrayHeader(), hashCount >= 1
        else { return nil }
        var sha: String?
        for _ in 0..<hashCount {
            guard let pairs = r.mapHeader() else { return nil }
            for _ in 0..<pairs {
                guard let k = r.string(), let v = r.string() else { return nil }
                if k == "Sha256", v.count == 64, Hex.decode(v) != nil { sha = v }
            }
        }
        guard let sha else { return nil }
        let afterHashes = r.offset
        self.sha256 = sha
        filename = r.string().flatMap { $0.hasSuffix(".whl") ? $0 : nil }
        url = Self.embeddedURL(bytes, from: afterHashes, endingWith: filename)
    }

    /// The first `http(s)://` or `file://` run after `from` that ends with the
    /// filename (or, not knowing it, with an archive's suffix).
    static func embeddedURL(_ b: [UInt8], from: Int, endingWith filename: String?) -> String? {
        var i = from
        while i + 7 < b.count {
            if b[i] == 0x68 || b[i] == 0x66, let s = printableRun(b, at: i),
                s.hasPrefix("http://") || s.hasPrefix("https://") || s.hasPrefix("file://"),
                filename.map(s.hasSuffix) ?? [".whl", ".tar.gz", ".zip"].contains(where: s.hasSuffix)
            {
                return s
            }
            i += 1
        }
        return nil
    }

    private static func printableRun(_ b: [UInt8], at start: Int) -> String? {
        var j = start
        while j < b.count, b[j] > 0x20, b[j] < 0x7F { j += 1 }
        return j - start >= 10 ? String(decoding: b[start..<j], as: UTF8.self) : nil
    }
}

/// Just enough msgpack to read uv's cache headers: arrays, maps, strings.
struct MsgPackReader {
    let b: [UInt8]
    private(set) var offset = 0
    init(_ b: [UInt8]) { self.b = b }

    private mutating func byte() -> UInt8? {
        guard offset < b.count else { return nil }
        defer { offset += 1 }
        return b[offset]
    }

    private mutating func be(_ n: Int) -> Int? {
        guard offset + n <= b.count else { return nil }
        defer { offset += n }
        return b[offset..<offset + n].reduce(0) { $0 << 8 | Int($1) }
    }

    mutating func arrayHeader() -> Int? {
        guard let t = byte() else { return nil }
        switch t {
        case 0x90...0x9f: return Int(t & 0x0f)
        case 0xdc: return be(2)
        case 0xdd: return be(4)
        default: return nil
        }
    }

    mutating func mapHeader() -> Int? {
        guard let t = byte() else { return nil }
        switch t {
        case 0x80...0x8f: return Int(t & 0x0f)
        case 0xde: return be(2)
        default: return nil
        }
    }

    mutating func string() -> String? {
        guard let t = byte() else { return nil }
        let n: Int?
        switch t {
        case 0xa0...0xbf: n = Int(t & 0x1f)
        case 0xd9, 0xc4: n = be(1)
        case 0xda, 0xc5: n = be(2)
        default: return nil
        }
        guard let len = n, offset + len <= b.count else { return nil }
        defer { offset += len }
        return String(decoding: b[offset..<offset + len], as: UTF8.self)
    }
}
