/// Values read in place from a stored canonical body, without decoding the
/// event: an audit prints two hundred thousand records (200 MB of JSON)
/// made of a few dozen fields of bodies it has no other use for, and
/// decoding each body (a hundred allocations, 15 µs) was most of its time.
/// A string keeps its stored bytes, which are already in the canonical form
/// every `--json` answer is written in.
///
/// Hostile bodies are expected, as `JSONParser` expects them: every read is
/// bounds-checked, nesting is bounded, and a string is checked as the
/// parser checks it (no bare control characters, valid escapes and UTF-8)
/// before its bytes can be copied anywhere.
public struct CanonicalBody {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The whole body. Reading its members (or elements) checks it whole,
    /// in the same pass: one value, nothing after it.
    public let root: Value

    /// Where a value lies in the body: bytes `start..<end`.
    public struct Value: Equatable, Sendable {
        public let start: Int
        public let end: Int
    }

    /// Object keys to look up, in canonical (byte) order: one pass over an
    /// object finds them all.
    public struct Keys: Sendable {
        let keys: [[UInt8]]

        public init(_ keys: [StaticString]) {
            self.keys = keys.map { k in k.withUTF8Buffer { Array($0) } }
            precondition(zip(self.keys, self.keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        }
    }

    public static func read<R>(_ body: [UInt8], _ use: (CanonicalBody) throws -> R) throws -> R {
        try body.withUnsafeBufferPointer { buffer in try use(CanonicalBody(buffer)) }
    }

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        root = Value(start: 0, end: bytes.count)
    }

    // MARK: reading values

    /// The members of `object` named by `keys`, in the keys' order (nil: absent).
    public func members(_ object: Value, _ keys: Keys) throws -> [Value?] {
        guard byte(object.start) == UInt8(ascii: "{") else { throw Self.invalid("expected an object") }
        var found = [Value?](repeating: nil, count: keys.keys.count)
        var k = 0
        var i = object.start + 1
        let whole = object == root
        if byte(i) == UInt8(ascii: "}") { return try ended(at: i, whole: whole, found) }
        while true {
            guard byte(i) == UInt8(ascii: "\"") else { throw Self.invalid("expected a key") }
            let keyEnd = try Self.stringEnd(bytes, from: i)
            guard byte(keyEnd) == UInt8(ascii: ":") else { throw Self.invalid("expected ':'") }
            let valueEnd = try Self.skip(bytes, from: keyEnd + 1, depth: 1)
            // Both lists are in byte order: a merge of the two.
            while k < keys.keys.count, precedes(keys.keys[k], key: i + 1..<keyEnd - 1) { k += 1 }
            if k < keys.keys.count, equals(keys.keys[k], key: i + 1..<keyEnd - 1) {
                found[k] = Value(start: keyEnd + 1, end: valueEnd)
                k += 1
                // The rest of a nested object is not needed: it was
                // skipped, and so checked, when the object was found.
                if k == keys.keys.count, !whole { return found }
            }
            switch byte(valueEnd) {
            case UInt8(ascii: ","): i = valueEnd + 1
            case UInt8(ascii: "}"): return try ended(at: valueEnd, whole: whole, found)
            default: throw Self.invalid("expected ',' or '}'")
            }
        }
    }

    /// The elements of `array`, in order.
    public func elements(_ array: Value) throws -> [Value] {
        guard byte(array.start) == UInt8(ascii: "[") else { throw Self.invalid("expected an array") }
        var found: [Value] = []
        var i = array.start + 1
        let whole = array == root
        if byte(i) == UInt8(ascii: "]") { return try ended(at: i, whole: whole, found) }
        while true {
            let end = try Self.skip(bytes, from: i, depth: 1)
            found.append(Value(start: i, end: end))
            switch byte(end) {
            case UInt8(ascii: ","): i = end + 1
            case UInt8(ascii: "]"): return try ended(at: end, whole: whole, found)
            default: throw Self.invalid("expected ',' or ']'")
            }
        }
    }

    /// What a container read returns once its closing bracket is at `i`:
    /// for the whole body, that bracket must be its last byte.
    private func ended<T>(at i: Int, whole: Bool, _ found: T) throws -> T {
        guard !whole || i + 1 == bytes.count else { throw Self.invalid("trailing bytes after the body") }
        return found
    }

    public func isNull(_ v: Value) -> Bool { byte(v.start) == UInt8(ascii: "n") }

    /// The value, required to be present.
    public func required(_ v: Value?, _ what: String) throws -> Value {
        guard let v else { throw Self.invalid("\(what) is missing") }
        return v
    }

    /// `v`, which must be a string.
    public func string(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        guard byte(v.start) == UInt8(ascii: "\"") else { throw Self.invalid("\(what) must be a string") }
        return v
    }

    /// `v`, which must be a string or null.
    public func optionalString(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        guard byte(v.start) == UInt8(ascii: "\"") || isNull(v) else {
            throw Self.invalid("\(what) must be a string or null")
        }
        return v
    }

    /// `v`, which must be an integer (a value the decoder reads as `Int`).
    public func int(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        var i = v.start
        let negative = byte(i) == UInt8(ascii: "-")
        if negative { i += 1 }
        let digits = v.end - i
        // The canonical form: shortest decimal, no "-0".
        guard digits > 0, digits <= 19, (i..<v.end).allSatisfy({ isDigit(bytes[$0]) }),
            bytes[i] != UInt8(ascii: "0") || (digits == 1 && !negative), Int(text(v)) != nil
        else { throw Self.invalid("\(what) must be an integer") }
        return v
    }

    /// `v`, which must be an integer or null.
    public func optionalInt(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        return isNull(v) ? v : try int(v, what)
    }

    /// `v`, which must be `true` or `false`.
    public func bool(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        guard byte(v.start) == UInt8(ascii: "t") || byte(v.start) == UInt8(ascii: "f") else {
            throw Self.invalid("\(what) must be true or false")
        }
        return v
    }

    /// `v`, which must be `true`, `false` or null.
    public func optionalBool(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        return isNull(v) ? v : try bool(v, what)
    }

    /// `v`, which must be an object or null.
    public func optionalObject(_ v: Value?, _ what: String) throws -> Value? {
        let v = try required(v, what)
        if isNull(v) { return nil }
        guard byte(v.start) == UInt8(ascii: "{") else { throw Self.invalid("\(what) must be an object or null") }
        return v
    }

    /// `v`, which must be an array of strings.
    public func strings(_ v: Value?, _ what: String) throws -> Value {
        let v = try required(v, what)
        for e in try elements(v) { _ = try string(e, what) }
        return v
    }

    /// Whether `v` is stored as exactly these bytes (a value's canonical form).
    public func equals(_ v: Value, json: [UInt8]) -> Bool {
        v.end - v.start == json.count && bytes[v.start..<v.end].elementsEqual(json)
    }

    /// A string value as text (for the few values a record computes from).
    public func decodedString(_ v: Value) throws -> String {
        if let plain = plainText(v) { return plain }
        guard case .string(let s) = try JSONParser.parse(Array(bytes[v.start..<v.end])) else {
            throw Self.invalid("expected a string")
        }
        return s
    }

    /// The value's bytes, as stored.
    public func slice(_ v: Value) -> Slice<UnsafeBufferPointer<UInt8>> { bytes[v.start..<v.end] }

    private func text(_ v: Value) -> String { String(decoding: slice(v), as: UTF8.self) }

    /// The text of a string needing no unescaping.
    private func plainText(_ v: Value) -> String? {
        guard byte(v.start) == UInt8(ascii: "\"") else { return nil }
        let inner = bytes[v.start + 1..<v.end - 1]
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    // MARK: scanning

    /// The byte at `i`, or 0 past the end (which no rule accepts).
    @inline(__always) private func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    private func precedes(_ key: [UInt8], key member: Range<Int>) -> Bool {
        key.lexicographicallyPrecedes(bytes[member])
    }

    private func equals(_ key: [UInt8], key member: Range<Int>) -> Bool {
        key.count == member.count && key.elementsEqual(bytes[member])
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    static func invalid(_ reason: String) -> PkgtrailError {
        PkgtrailError(.invalidEvent, "stored body: \(reason)")
    }

    /// The end of the value that starts at `i`. Containers are skipped by
    /// counting brackets outside strings; their members are checked when
    /// they are read, never copied unread.
    private static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, depth: Int) throws -> Int {
        guard start < bytes.count else { throw invalid("unexpected end") }
        switch bytes[start] {
        case UInt8(ascii: "\""): return try stringEnd(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var nesting = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    i = try stringEnd(bytes, from: i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    nesting += 1
                    guard depth + nesting <= JSONParser.maxDepth else { throw invalid("nested too deep") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    nesting -= 1
                    if nesting == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            throw invalid("unexpected end")
        case UInt8(ascii: "t"): return try literal(bytes, "true", at: start)
        case UInt8(ascii: "f"): return try literal(bytes, "false", at: start)
        case UInt8(ascii: "n"): return try literal(bytes, "null", at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var i = start + 1
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i
        default: throw invalid("unexpected character at byte \(start)")
        }
    }

    private static func literal(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString, at i: Int) throws -> Int {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, word.withUTF8Buffer({ bytes[i..<i + n].elementsEqual($0) }) else {
            throw invalid("invalid literal at byte \(i)")
        }
        return i + n
    }

    /// The end (past the closing quote) of the string that opens at `start`.
    /// Eight bytes at a time while they are plain ASCII; a string with an
    /// escape or a non-ASCII byte is then checked by the strict parser.
    static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws -> Int {
        var i = start + 1
        var unusual = false
        let base = bytes.baseAddress!
        while true {
            while i + 8 <= bytes.count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let quote = w ^ (ones &* 0x22)
                let backslash = w ^ (ones &* 0x5C)
                // The lowest flagged byte of each test is exact: that is the one taken.
                let flags =
                    ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w) | w
                let high = flags & (ones &* 0x80)
                if high != 0 {
                    i += high.trailingZeroBitCount / 8
                    break
                }
                i += 8
            }
            guard i < bytes.count else { throw invalid("unterminated string") }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                if unusual {
                    guard case .string = try JSONParser.parse(Array(bytes[start...i])) else {
                        throw invalid("expected a string")
                    }
                }
                return i + 1
            case UInt8(ascii: "\\"):
                unusual = true
                i += 2
            case 0..<0x20: throw invalid("control character in a string at byte \(i)")
            case 0x80...:
                unusual = true
                i += 1
            default: i += 1
            }
        }
    }
}
