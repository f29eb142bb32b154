import XCTest

@testable import PkgtrailCore

final class CanonicalJSONTests: XCTestCase {
    func encode(_ v: JSONValue) throws -> String { String(decoding: try CanonicalJSON.encode(v), as: UTF8.self) }

    func testGoldenEncodings() throws {
        let cases: [(JSONValue, String)] = [
            (.null, "null"), (.bool(true), "true"), (.bool(false), "false"),
            (.int(0), "0"), (.int(-17), "-17"), (.int(Int64.max), "9223372036854775807"),
            (.string(""), "\"\""),
            (.string("a\"b\\c/d"), "\"a\\\"b\\\\c/d\""),
            (.string("\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{00}\u{1F}"), "\"\\b\\t\\n\\f\\r\\u0000\\u001f\""),
            (.string("é€😀\u{7F}"), "\"é€😀\u{7F}\""),
            (.array([]), "[]"), (.object([:]), "{}"),
            (
                .object(["b": .int(1), "a": .array([.null, .string("x")]), "A": .bool(true), "_": .int(2)]),
                "{\"A\":true,\"_\":2,\"a\":[null,\"x\"],\"b\":1}"
            )
        ]
        for (value, expected) in cases {
            XCTAssertEqual(try encode(value), expected)
        }
    }

    /// A literal already in canonical order is taken as written; any other
    /// is sorted, a repeated key keeping its last value; both encode alike.
    func testObjectLiteralsInAndOutOfOrder() throws {
        let ordered: JSONObject = ["a": .int(1), "b": .int(2), "c": .int(3)]
        let unordered: JSONObject = ["c": .int(3), "a": .int(1), "b": .int(2)]
        let repeated: JSONObject = ["a": .int(9), "b": .int(2), "a": .int(1), "c": .int(3)]
        XCTAssertEqual(ordered.keys, ["a", "b", "c"])
        XCTAssertEqual(unordered, ordered)
        XCTAssertEqual(repeated, ordered)
        XCTAssertEqual(try encode(.object(unordered)), "{\"a\":1,\"b\":2,\"c\":3}")
        // Bytes, not Unicode collation: "B" < "a" < "é".
        let mixed: JSONObject = ["é": .int(3), "a": .int(2), "B": .int(1)]
        XCTAssertEqual(mixed.keys, ["B", "a", "é"])
    }

    /// Strings copied whole and strings escaped byte by byte meet in one value.
    func testPlainAndEscapedStringsTogether() throws {
        let long = String(repeating: "x", count: 300)
        XCTAssertEqual(
            try encode(.array([.string(long), .string("q\"\(long)"), .string("\u{1}")])),
            "[\"\(long)\",\"q\\\"\(long)\",\"\\u0001\"]")
    }

    func testNFCAndNFDStayDistinct() throws {
        XCTAssertNotEqual(try CanonicalJSON.encode(.string("\u{E9}")), try CanonicalJSON.encode(.string("e\u{301}")))
    }

    func testRefusesNonIntegers() {
        XCTAssertThrowsError(try CanonicalJSON.encode(.array([.number("1.5")])))
    }

    func testParserRoundTripsCanonicalBytes() throws {
        let text = "{\"a\":[1,-2,\"\\u001f\\n\"],\"b\":{\"c\":null,\"d\":false}}"
        XCTAssertEqual(try encode(try JSONParser.parse(text)), text)
    }

    func testC1ControlsAreEscapedForOutputWithoutChangingTheValue() throws {
        let value = JSONValue.object(["k": .string("a\u{9B}2J\u{7F}é\u{85}")])
        let canonical = try CanonicalJSON.encode(value)
        XCTAssertTrue(canonical.contains(0x9B))  // canonical bodies keep them raw: their hash depends on it
        let shown = ControlCharacters.escapedInJSON(canonical)
        XCTAssertEqual(String(decoding: shown, as: UTF8.self), "{\"k\":\"a\\u009b2J\\u007fé\\u0085\"}")
        XCTAssertEqual(try JSONParser.parse(shown), value)
    }

    /// The scan goes eight bytes at a time: a C1 control or DEL is found
    /// wherever it falls in the word, and a plain text is returned as it is.
    func testC1ControlsAreFoundAtEveryOffset() {
        for n in 0..<20 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: n)
            XCTAssertEqual(ControlCharacters.escapedInJSON(plain), plain)
            for bad in [[UInt8(0x7F)], [UInt8(0xC2), 0x85]] {
                let text = plain + bad + [UInt8](repeating: UInt8(ascii: "b"), count: n % 9)
                XCTAssertNotEqual(ControlCharacters.escapedInJSON(text), text, "\(n) \(bad)")
            }
        }
    }

    func testParserSortsMembersOutOfOrder() throws {
        XCTAssertEqual(
            try encode(try JSONParser.parse("{\"b\":1,\"a\":{\"z\":true,\"y\":null}}")),
            "{\"a\":{\"y\":null,\"z\":true},\"b\":1}")
    }

    func testParserReadsEscapesAndSurrogates() throws {
        XCTAssertEqual(try JSONParser.parse("\"\\u00e9\\ud83d\\ude00\\/\""), .string("é😀/"))
        XCTAssertEqual(try JSONParser.parse(" [1.5e3, 7] "), .array([.number("1.5e3"), .int(7)]))
    }

    func testParserRejectsHostileInput() {
        for bad in [
            "", "{", "[1,]", "{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}", "tru", "[fals", "nulll", "\"\u{01}\"",
            "\"\\ud800\"", "01", "nul", "[1] x",
            String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        ] {
            XCTAssertThrowsError(try JSONParser.parse(bad), "accepted \(bad.prefix(20))")
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]))
    }
}
