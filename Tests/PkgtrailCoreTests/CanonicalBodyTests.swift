import XCTest

@testable import PkgtrailCore

final class CanonicalBodyTests: XCTestCase {
    func read<R>(_ text: String, _ use: (CanonicalBody) throws -> R) throws -> R {
        try CanonicalBody.read(Array(text.utf8), use)
    }

    func text(_ b: CanonicalBody, _ v: CanonicalBody.Value?) -> String? {
        v.map { String(decoding: b.slice($0), as: UTF8.self) }
    }

    func testMembersAreFoundInOnePassWhateverTheyHold() throws {
        let body = #"{"a":[1,{"b":"}"}],"bb":"x\"y","c":null,"d":{"e":[[]]},"f":-12,"g":true}"#
        try read(body) { b in
            let found = try b.members(b.root, CanonicalBody.Keys(["a", "b", "c", "d", "f", "g", "h"]))
            XCTAssertEqual(
                found.map { text(b, $0) }, [#"[1,{"b":"}"}]"#, nil, "null", #"{"e":[[]]}"#, "-12", "true", nil])
            XCTAssertEqual(try b.elements(found[0]!).map { text(b, $0) }, ["1", #"{"b":"}"}"#])
            XCTAssertEqual(try b.decodedString(try b.members(b.root, CanonicalBody.Keys(["bb"]))[0]!), "x\"y")
            XCTAssertEqual(try b.elements(try b.members(found[3]!, CanonicalBody.Keys(["e"]))[0]!).count, 1)
        }
        try read("{}") { b in XCTAssertEqual(try b.members(b.root, CanonicalBody.Keys(["a"])), [nil]) }
        try read("[]") { b in XCTAssertEqual(try b.elements(b.root), []) }
    }

    /// Long plain strings go eight bytes at a time; whatever byte ends the
    /// run must be seen wherever it falls in the word.
    func testAStringEndsWhereItEndsAtEveryOffset() throws {
        for n in 0..<20 {
            for tail in ["", #"\""#, "é", #"\\"#, #"\u0001"#] {
                let s = String(repeating: "a", count: n) + tail + String(repeating: "b", count: n % 9)
                let body = "[\"\(s)\",\"z\"]"
                try read(body) { b in
                    let e = try b.elements(b.root)
                    XCTAssertEqual(e.map { text(b, $0) }, ["\"\(s)\"", "\"z\""], body)
                }
            }
        }
    }

    /// What the strict parser refuses is refused here too: nothing a record
    /// copies can be other than valid JSON.
    func testWhatIsNotValidJSONIsRefused() {
        let bad: [[UInt8]] = [
            Array("[\"a\u{1}b\"]".utf8), Array(#"["a\qb"]"#.utf8), Array(#"["\u12"]"#.utf8),
            [0x5B, 0x22, 0xFF, 0x22, 0x5D],
            [0x5B, 0x22, 0xC3, 0x22, 0x5D], Array(#"["abc"#.utf8), Array("{\"a\":1} ".utf8), Array("[tru]".utf8),
            Array("nul".utf8),
            Array(String(repeating: "[", count: 300).utf8) + Array(String(repeating: "]", count: 300).utf8),
            Array("{\"a\" 1}".utf8), Array("x".utf8), []
        ]
        for body in bad {
            XCTAssertThrowsError(
                try CanonicalBody.read(body) { b in
                    // A container's members are checked when read.
                    if b.bytes.first == UInt8(ascii: "[") {
                        for e in try b.elements(b.root) { _ = try b.string(e, "e") }
                    } else {
                        _ = try b.members(b.root, CanonicalBody.Keys(["a"]))
                    }
                }, String(decoding: body, as: UTF8.self))
        }
    }

    /// Every truncation of a real body is refused.
    func testEveryTruncationOfABodyIsRefused() throws {
        let body = try CanonicalJSON.encode(
            .object([
                "a": .strings(["x", "ü\"y\\", "\u{7}"]), "b": .object(["c": .null, "d": .int(-42)]), "e": .bool(false)
            ]))
        let keys = CanonicalBody.Keys(["a"])
        _ = try CanonicalBody.read(body) { try $0.members($0.root, keys) }
        for n in 0..<body.count {
            XCTAssertThrowsError(
                try CanonicalBody.read(Array(body.prefix(n))) { try $0.members($0.root, keys) }, "\(n)")
        }
        // Nor is anything after it, even when the keys asked for come first.
        XCTAssertThrowsError(try CanonicalBody.read(body + [0x20]) { try $0.members($0.root, keys) })
        XCTAssertThrowsError(try CanonicalBody.read(Array("[1]]".utf8)) { try $0.elements($0.root) })
        XCTAssertThrowsError(try CanonicalBody.read(Array("{}}".utf8)) { try $0.members($0.root, keys) })
    }

    func testTypedReadsSayWhatIsWrong() throws {
        try read(#"{"b":true,"i":"7","n":null,"s":"x","t":[1],"u":007,"v":9223372036854775808,"w":-0}"#) { b in
            let m = try b.members(b.root, CanonicalBody.Keys(["b", "i", "n", "s", "t", "u", "v", "w", "x"]))
            XCTAssertNoThrow(try b.bool(m[0], "b"))
            XCTAssertThrowsError(try b.int(m[1], "i")) { XCTAssertTrue("\($0)".contains("i must be an integer")) }
            XCTAssertNoThrow(try b.optionalString(m[2], "n"))
            XCTAssertThrowsError(try b.string(m[2], "n"))
            XCTAssertThrowsError(try b.strings(m[4], "t"))
            XCTAssertThrowsError(try b.int(m[5], "u"))
            XCTAssertThrowsError(try b.int(m[6], "v"))
            XCTAssertThrowsError(try b.int(m[7], "w"))
            XCTAssertThrowsError(try b.string(m[8], "x")) { XCTAssertTrue("\($0)".contains("x is missing")) }
            XCTAssertNil(try b.optionalObject(m[2], "n"))
            XCTAssertThrowsError(try b.optionalObject(m[3], "s"))
        }
    }
}
