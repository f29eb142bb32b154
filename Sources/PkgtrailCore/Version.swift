/// A PEP 440 version, parsed and ordered as the specification (and
/// `packaging.version`) order them.
public struct Version: Comparable, Hashable, CustomStringConvertible, Sendable {
    public let epoch: Int
    public let release: [Int]
    /// ("a" | "b" | "rc", number)
    public let pre: (String, Int)?
    public let post: Int?
    public let dev: Int?
    public let local: [LocalPart]

    public enum LocalPart: Hashable, Sendable {
        case number(Int)
        case text(String)
    }

    public init?(_ text: String) {
        var p = VersionScanner(Array(text.lowercased().utf8))
        p.skipSpace()
        _ = p.eat("v")
        var epoch = 0
        var release: [Int] = []
        guard let first = p.number() else { return nil }
        if p.eat("!") {
            epoch = first
            guard let n = p.number() else { return nil }
            release.append(n)
        } else {
            release.append(first)
        }
        while p.peek(".") && p.isDigit(at: 1) {
            _ = p.eat(".")
            // A segment too large for an Int is not a version we can order (fuzzing found the crash).
            guard let n = p.number() else { return nil }
            release.append(n)
        }
        var pre: (String, Int)? = nil
        let mark = p.pos
        _ = p.separator()
        if let label = p.word(["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"]) {
            _ = p.separator()
            let n = p.number() ?? 0
            let canonical = ["alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"][label] ?? label
            pre = (canonical, n)
        } else {
            p.pos = mark
        }
        var post: Int? = nil
        let postMark = p.pos
        if p.eat("-"), let n = p.number() {
            post = n
        } else {
            p.pos = postMark
            _ = p.separator()
            if p.word(["post", "rev", "r"]) != nil {
                _ = p.separator()
                post = p.number() ?? 0
            } else {
                p.pos = postMark
            }
        }
        var dev: Int? = nil
        let devMark = p.pos
        _ = p.separator()
        if p.word(["dev"]) != nil {
            _ = p.separator()
            dev = p.number() ?? 0
        } else {
            p.pos = devMark
        }
        var local: [LocalPart] = []
        if p.eat("+") {
            guard let segments = p.localSegments() else { return nil }
            local = segments
        }
        p.skipSpace()
        guard p.atEnd else { return nil }
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    init(epoch: Int, release: [Int], pre: (String, Int)?, post: Int?, dev: Int?, local: [LocalPart]) {
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    public var isPrerelease: Bool { pre != nil || dev != nil }
    public var isPostrelease: Bool { post != nil }
    /// The version without its local label (`1.0+cpu` → `1.0`).
    public var publicVersion: Version {
        Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: [])
    }
    /// Epoch and release only (`1!2.0rc1.post3` → `1!2.0`).
    public var baseVersion: Version {
        Version(epoch: epoch, release: release, pre: nil, post: nil, dev: nil, local: [])
    }

    public var description: String {
        var s = epoch != 0 ? "\(epoch)!" : ""
        s += release.map(String.init).joined(separator: ".")
        if let (l, n) = pre { s += "\(l)\(n)" }
        if let post { s += ".post\(post)" }
        if let dev { s += ".dev\(dev)" }
        if !local.isEmpty {
            s +=
                "+"
                + local.map {
                    if case .number(let n) = $0 { String(n) } else if case .text(let t) = $0 { t } else { "" }
                }
                .joined(separator: ".")
        }
        return s
    }

    // MARK: ordering (packaging's _cmpkey)

    private var trimmedRelease: [Int] {
        var r = release
        while r.count > 1, r.last == 0 { r.removeLast() }
        return r
    }

    /// Pre-release key: dev-only releases sort before any pre-release; final releases after.
    private var preKey: (Int, Int, Int) {
        if pre == nil && post == nil && dev != nil { return (-1, 0, 0) }
        guard let (l, n) = pre else { return (1, 0, 0) }
        return (0, ["a": 0, "b": 1, "rc": 2][l] ?? 0, n)
    }

    public static func == (a: Version, b: Version) -> Bool { compare(a, b) == 0 }
    public static func < (a: Version, b: Version) -> Bool { compare(a, b) < 0 }

    public func hash(into h: inout Hasher) {
        h.combine(epoch)
        h.combine(trimmedRelease)
        h.combine(pre?.0)
        h.combine(pre?.1)
        h.combine(post)
        h.combine(dev)
        h.combine(local)
    }

    public static func compare(_ a: Version, _ b: Version) -> Int {
        if a.epoch != b.epoch { return a.epoch < b.epoch ? -1 : 1 }
        let ra = a.trimmedRelease
        let rb = b.trimmedRelease
        for i in 0..<max(ra.count, rb.count) {
            let x = i < ra.count ? ra[i] : 0
            let y = i < rb.count ? rb[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        let pa = a.preKey
        let pb = b.preKey
        if pa != pb { return pa < pb ? -1 : 1 }
        let oa = a.post ?? -1
        let ob = b.post ?? -1
        if oa != ob { return oa < ob ? -1 : 1 }
        let da = a.dev ?? Int.max
        let db = b.dev ?? Int.max
        if da != db { return da < db ? -1 : 1 }
        return compareLocal(a.local, b.local)
    }

    /// No local sorts first; numeric segments sort after text ones; a shorter
    /// local sorts first when it is a prefix of the longer.
    private static func compareLocal(_ a: [LocalPart], _ b: [LocalPart]) -> Int {
        for i in 0..<min(a.count, b.count) {
            switch (a[i], b[i]) {
            case (.number(let x), .number(let y)) where x != y: return x < y ? -1 : 1
            case (.text(let x), .text(let y)) where x != y: return x < y ? -1 : 1
            case (.number, .text): return 1
            case (.text, .number): return -1
            default: continue
            }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

private struct VersionScanner {
    let u: [UInt8]
    var pos = 0
    init(_ u: [UInt8]) { self.u = u }
    var atEnd: Bool { pos >= u.count }
    func peek(_ c: Character) -> Bool { pos < u.count && u[pos] == c.asciiValue! }
    func isDigit(at offset: Int) -> Bool { pos + offset < u.count && (0x30...0x39).contains(u[pos + offset]) }
    mutating func skipSpace() { while pos < u.count, u[pos] == 0x20 || u[pos] == 0x09 || u[pos] == 0x0A { pos += 1 } }
    mutating func eat(_ c: Character) -> Bool {
        if peek(c) {
            pos += 1
            return true
        }
        return false
    }
    mutating func separator() -> Bool { eat("-") || eat("_") || eat(".") }
    mutating func number() -> Int? {
        var n = 0
        let start = pos
        while pos < u.count, (0x30...0x39).contains(u[pos]) {
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(u[pos] - 0x30))
            if o1 || o2 {
                pos = start
                return nil
            }
            n = s
            pos += 1
        }
        return pos > start ? n : nil
    }
    /// Longest listed word at the cursor (the list is ordered longest-first where prefixes overlap).
    mutating func word(_ words: [String]) -> String? {
        for w in words {
            let b = Array(w.utf8)
            if pos + b.count <= u.count, Array(u[pos..<pos + b.count]) == b {
                pos += b.count
                return w
            }
        }
        return nil
    }
    mutating func localSegments() -> [Version.LocalPart]? {
        var parts: [Version.LocalPart] = []
        while true {
            let start = pos
            while pos < u.count, (0x30...0x39).contains(u[pos]) || (0x61...0x7A).contains(u[pos]) { pos += 1 }
            guard pos > start else { return nil }
            let seg = String(decoding: u[start..<pos], as: UTF8.self)
            if let n = Int(seg) { parts.append(.number(n)) } else { parts.append(.text(seg)) }
            if !(eat(".") || eat("-") || eat("_")) { return parts }
        }
    }
}

extension Version {
    /// `3.11` of a Python version string `3.11.7` (the `pythonX.Y` of a
    /// site-packages path); the string itself when it has no second dot.
    public static func majorMinor(_ version: String) -> String {
        var dots = 0
        for i in version.indices where version[i] == "." {
            dots += 1
            if dots == 2 { return String(version[..<i]) }
        }
        return version
    }
}
