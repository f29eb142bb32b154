import XCTest

@testable import PkgtrailCore

/// Golden vectors: the bytes and hashes below were computed independently
/// with Python's hashlib (see scripts/verify_log.py for the rule).
final class ChainTests: XCTestCase {
    static let body1 =
        "{\"id\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"install\",\"note\":\"é\\n\\\"x\\\"\\u001f\","
        + "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"seq\":1}"
    static let hash1 = "78a72e059d108f8e95d71c45c318d5e55ddb54cfe157faf7f8bedc9ea4267077"
    static let body2 =
        "{\"id\":\"00000000-0000-4000-8000-000000000002\",\"kind\":\"install\","
        + "\"prev_hash\":\"78a72e059d108f8e95d71c45c318d5e55ddb54cfe157faf7f8bedc9ea4267077\",\"seq\":2}"
    static let hash2 = "0360bbac382887f96fc2137f3573eec26a8aaab4b15d0e70ef1205f6004fbc86"

    func testGoldenChain() throws {
        let s1 = try Chain.seal(
            .object([
                "kind": .string("install"), "id": .string("00000000-0000-4000-8000-000000000001"),
                "note": .string("é\n\"x\"\u{1F}")
            ]), seq: 1, previous: Chain.genesis)
        XCTAssertEqual(String(decoding: s1.body, as: UTF8.self), Self.body1)
        XCTAssertEqual(Hex.encode(s1.hash), Self.hash1)
        let s2 = try Chain.seal(
            .object(["kind": .string("install"), "id": .string("00000000-0000-4000-8000-000000000002")]),
            seq: 2, previous: s1.hash)
        XCTAssertEqual(String(decoding: s2.body, as: UTF8.self), Self.body2)
        XCTAssertEqual(Hex.encode(s2.hash), Self.hash2)
    }

    /// Sealing splices seq and prev_hash into a draft encoded beforehand; the
    /// body must be exactly the canonical encoding of the whole object,
    /// whatever keys sort around the two (prefixes of them included).
    func testSealingADraftEqualsEncodingTheWholeObject() throws {
        let keySets: [[String]] = [
            [], ["id"], ["r"], ["z"], ["prev", "prev_hash_x", "se", "seq_x", "seqa", "sep"],
            ["a", "prev_hasa", "prev_hasi", "s", "sequence", "~"], ["seq", "prev_hash", "kind"]
        ]
        for keys in keySets {
            var object = JSONObject()
            for (i, k) in keys.enumerated() {
                object[k] = i % 2 == 0 ? .string("v\(i)\u{1}") : .array([.int(Int64(i)), .null])
            }
            let previous = (0..<32).map { UInt8($0 * 7 % 256) }
            var whole = object
            whole["seq"] = .int(1_234_567)
            whole["prev_hash"] = .string(Hex.encode(previous))
            let sealed = Chain.seal(try Chain.Draft(.object(object)), seq: 1_234_567, previous: previous)
            XCTAssertEqual(
                String(decoding: sealed.body, as: UTF8.self),
                String(decoding: try CanonicalJSON.encode(.object(whole)), as: UTF8.self), "\(keys)")
            XCTAssertEqual(sealed.hash, Chain.hash(previous: previous, body: sealed.body))
        }
        XCTAssertThrowsError(try Chain.Draft(.array([])))
    }

    func testDomainSeparationByteIsPartOfTheHash() {
        let body = Array(Self.body1.utf8)
        XCTAssertEqual(Hex.encode(Chain.hash(previous: Chain.genesis, body: body)), Self.hash1)
        XCTAssertNotEqual(Digest.sha256Hex(Chain.genesis + body), Self.hash1)
    }

    func testHexIsStrict() {
        XCTAssertEqual(Hex.decode("00ff"), [0, 255])
        XCTAssertNil(Hex.decode("00FF"))
        XCTAssertNil(Hex.decode("0"))
        XCTAssertNil(Hex.decode("zz"))
    }
}
