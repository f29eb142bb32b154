/// The part of TOML 1.0 a pkgtrail policy file is written in: `key = value`
/// lines under optional `[table]` headers, with `#` comments; values are
/// basic ("…", with escapes) and literal ('…') strings, integers, booleans
/// and arrays of them (across lines, trailing comma allowed). Anything else
/// TOML has (dates, floats, inline tables, dotted or multi-line keys and
/// strings) is refused with the line it is on, never guessed at: a policy
/// read wrongly protects nothing.
public enum TOMLSubset {
    public indirect enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case array([Value])
    }

    public struct Entry: Equatable, Sendable {
        /// `table.key`, or `key` before any header.
        public let key: String
        public let value: Value
        public let line: Int
    }

    public static func parse(_ text: String) throws -> [Entry] {
        var p = Parser(bytes: Array(text.utf8))
        return try p.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1

        mutating func document() throws -> [Entry] {
            var entries: [Entry] = []
            var seen: Set<String> = []
            var tables: Set<String> = []
            var table: String?
            while true {
                skipBlank()
                guard i < bytes.count else { return entries }
                if bytes[i] == UInt8(ascii: "[") {
                    i += 1
                    skipSpaces()
                    let name = try dottedName()
                    skipSpaces()
                    guard peek == UInt8(ascii: "]") else { throw fail("expected ] after the table name") }
                    i += 1
                    guard tables.insert(name).inserted else { throw fail("table [\(name)] appears twice") }
                    table = name
                } else {
                    let at = line
                    let key = try self.key()
                    let full = table.map { "\($0).\(key)" } ?? key
                    skipSpaces()
                    guard peek == UInt8(ascii: "=") else { throw fail("expected = after \(key)") }
                    i += 1
                    skipSpaces()
                    let v = try value()
                    guard seen.insert(full).inserted else { throw fail("\(full) is set twice", line: at) }
                    entries.append(Entry(key: full, value: v, line: at))
                }
                try endOfLine()
            }
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ why: String, line: Int? = nil) -> PkgtrailError {
            PkgtrailError(.invalidInput, "line \(line ?? self.line): \(why)")
        }

        mutating func skipSpaces() {
            while let b = peek, b == 0x20 || b == 0x09 { i += 1 }
        }

        mutating func skipComment() {
            if peek == UInt8(ascii: "#") { while let b = peek, b != 0x0A { i += 1 } }
        }

        /// Blank lines, comments and the newlines between them.
        mutating func skipBlank() {
            while true {
                skipSpaces()
                skipComment()
                if peek == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                guard peek == 0x0A else { return }
                i += 1
                line += 1
            }
        }

        mutating func endOfLine() throws {
            skipSpaces()
            skipComment()
            if peek == 0x0D { i += 1 }
            guard let b = peek else { return }
            guard b == 0x0A else { throw fail("unexpected text after the value") }
            i += 1
            line += 1
        }

        static func isBare(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
                || b == 0x5F
        }

        mutating func key() throws -> String {
            if peek == UInt8(ascii: "\"") { return try basicString() }
            if peek == UInt8(ascii: "'") { return try literalString() }
            let start = i
            while let b = peek, Self.isBare(b) { i += 1 }
            guard i > start else { throw fail("expected a key") }
            if peek == UInt8(ascii: ".") { throw fail("dotted keys are not supported here: use a [table]") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func dottedName() throws -> String {
            var parts = [try key()]
            while true {
                skipSpaces()
                guard peek == UInt8(ascii: ".") else { return parts.joined(separator: ".") }
                i += 1
                skipSpaces()
                parts.append(try key())
            }
        }

        mutating func value() throws -> Value {
            guard let b = peek else { throw fail("expected a value") }
            switch b {
            case UInt8(ascii: "\""):
                if bytes[i...].starts(with: Array("\"\"\"".utf8)) { throw fail("multi-line strings are not supported") }
                return .string(try basicString())
            case UInt8(ascii: "'"):
                if bytes[i...].starts(with: Array("'''".utf8)) { throw fail("multi-line strings are not supported") }
                return .string(try literalString())
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "{"): throw fail("inline tables are not supported: use a [table]")
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                for (word, v) in [("true", true), ("false", false)] where bytes[i...].starts(with: Array(word.utf8)) {
                    i += word.utf8.count
                    return .bool(v)
                }
                throw fail("expected true or false")
            default: return try integer()
            }
        }

        mutating func integer() throws -> Value {
            let start = i
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            var digits = ""
            var last: UInt8 = 0
            while let b = peek, (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_") {
                if b == UInt8(ascii: "_") {
                    guard last >= 0x30 && last <= 0x39 else { throw fail("misplaced _ in a number") }
                } else {
                    digits.append(Character(Unicode.Scalar(b)))
                }
                last = b
                i += 1
            }
            let sign = bytes[start] == UInt8(ascii: "-") ? "-" : ""
            guard !digits.isEmpty, last != UInt8(ascii: "_"), let n = Int64(sign + digits) else {
                throw fail("expected a string, integer, boolean or array")
            }
            if digits.count > 1 && digits.first == "0" { throw fail("leading zeros are not allowed in a number") }
            if let b = peek,
                b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                    || b == UInt8(ascii: ":") || b == UInt8(ascii: "-") || b == UInt8(ascii: "x")
                    || b == UInt8(ascii: "o") || b == UInt8(ascii: "b")
            {
                throw fail("only decimal integers are supported (no floats, dates or other bases)")
            }
            return .integer(n)
        }

        mutating func array() throws -> Value {
            i += 1
            var items: [Value] = []
            while true {
                skipBlank()
                guard let b = peek else { throw fail("unterminated array") }
                if b == UInt8(ascii: "]") {
                    i += 1
                    return .array(items)
                }
                items.append(try value())
                skipBlank()
                guard peek != nil else { throw fail("unterminated array") }
                if peek == UInt8(ascii: ",") {
                    i += 1
                } else if peek != UInt8(ascii: "]") {
                    throw fail("expected , or ] in an array")
                }
            }
        }

        mutating func literalString() throws -> String {
            i += 1
            let start = i
            while let b = peek, b != UInt8(ascii: "'") {
                if b == 0x0A || (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("control character in a string") }
                i += 1
            }
            guard peek != nil else { throw fail("unterminated string") }
            defer { i += 1 }
            return try utf8(bytes[start..<i])
        }

        mutating func basicString() throws -> String {
            i += 1
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw fail("unterminated string") }
                i += 1
                switch b {
                case UInt8(ascii: "\""): return try utf8(out[...])
                case UInt8(ascii: "\\"):
                    guard let e = peek else { throw fail("unterminated string") }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "u"), UInt8(ascii: "U"):
                        let n = e == UInt8(ascii: "u") ? 4 : 8
                        guard i + n <= bytes.count,
                            let v = UInt32(String(decoding: bytes[i..<i + n], as: UTF8.self), radix: 16),
                            let scalar = Unicode.Scalar(v)
                        else { throw fail("invalid \\u escape") }
                        i += n
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
                    }
                default:
                    if b == 0x0A || (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("control character in a string") }
                    out.append(b)
                }
            }
        }

        func utf8(_ slice: ArraySlice<UInt8>) throws -> String {
            guard let s = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
            return s
        }
    }
}
