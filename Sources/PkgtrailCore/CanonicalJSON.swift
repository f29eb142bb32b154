/// Canonical JSON: the byte form in which event bodies are hashed and stored.
///
/// Rules (documented for auditors in docs/FORMAT.md, "The chain"):
/// - object keys sorted by their UTF-8 bytes (all keys are ASCII schema names,
///   so this equals RFC 8785's UTF-16 order);
/// - no insignificant whitespace;
/// - integers in shortest decimal form; no floats at all;
/// - strings escape only `"`, `\` and control characters below U+0020
///   (`\b \t \n \f \r` short forms, others as `\u00xx`); everything else is raw UTF-8;
/// - strings are not Unicode-normalized: paths and names are kept byte-exact.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try write(value, into: &out)
        return out
    }

    /// Appends the value's canonical form (answers written piece by piece, `JSONWriter`).
    public static func write(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .number(let text):
            throw PkgtrailError(.invalidEvent, "non-integer number \(text) cannot be stored in an event")
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // JSONObject keeps its members in canonical (UTF-8 byte) order.
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try writeMember(m, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeMember(_ m: JSONObject.Member, into out: inout [UInt8]) throws {
        writeString(m.key, into: &out)
        out.append(UInt8(ascii: ":"))
        try write(m.value, into: &out)
    }

    /// Byte order of the UTF-8 forms, compared in place (keys are native
    /// strings, so the contiguous fast path is the one taken).
    public static func utf8Less(_ a: String, _ b: String) -> Bool {
        if let r = a.utf8.withContiguousStorageIfAvailable({ pa in
            b.utf8.withContiguousStorageIfAvailable { pb -> Bool in
                let n = min(pa.count, pb.count)
                var i = 0
                while i < n {
                    if pa[i] != pb[i] { return pa[i] < pb[i] }
                    i += 1
                }
                return pa.count < pb.count
            }
        }), let less = r {
            return less
        }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encodeString(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        writeString(s, into: &out)
        return out
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole. Scanned through a
        // buffer pointer: the UTF8View's iterator cost more than the copy
        // (an audit writes 200 MB of records).
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
