import XCTest

@testable import PkgtrailCore

/// Tamper tests in the spirit of Go's tlog_test.go: corrupt every part and
/// expect the right seq and reason.
final class ChainVerifierTests: XCTestCase {
    typealias Row = StoredRecord

    func makeRows(_ n: Int) throws -> [Row] {
        var rows: [Row] = []
        var prev = Chain.genesis
        for i in 1...n {
            let s = try Chain.seal(
                .object(["id": .string("e\(i)"), "kind": .string("install"), "n": .int(Int64(i * 7))]),
                seq: Int64(i), previous: prev)
            rows.append(Row(seq: s.seq, prevHash: s.prevHash, hash: s.hash, body: s.body))
            prev = s.hash
        }
        return rows
    }

    func verify(_ rows: [Row]) -> ChainVerifier.Break? {
        var v = ChainVerifier()
        do {
            for r in rows { try v.feed(r) }
            return nil
        } catch let b as ChainVerifier.Break {
            return b
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testIntactChain() throws {
        var v = ChainVerifier()
        let rows = try makeRows(5)
        for r in rows { try v.feed(r) }
        XCTAssertEqual(v.count, 5)
        XCTAssertEqual(v.head, rows[4].hash)
    }

    func testEveryBodyByteFlipIsCaughtAtItsSeq() throws {
        let rows = try makeRows(4)
        for target in 0..<rows.count {
            for i in 0..<rows[target].body.count {
                var t = rows
                var body = t[target].body
                body[i] ^= 0x01
                t[target] = Row(seq: t[target].seq, prevHash: t[target].prevHash, hash: t[target].hash, body: body)
                let b = verify(t)
                XCTAssertEqual(b?.seq, Int64(target + 1), "byte \(i) of seq \(target + 1)")
            }
        }
    }

    func testEveryHashBitFlipIsCaught() throws {
        let rows = try makeRows(3)
        for target in 0..<rows.count {
            for bit in 0..<256 {
                var t = rows
                var h = t[target].hash
                h[bit / 8] ^= UInt8(1 << (bit % 8))
                t[target] = Row(seq: t[target].seq, prevHash: t[target].prevHash, hash: h, body: t[target].body)
                XCTAssertEqual(
                    verify(t),
                    ChainVerifier.Break(
                        seq: Int64(target + 1), fault: .modified,
                        reason: "the stored hash does not match the body (body or hash altered)"))
            }
        }
    }

    func testPrevHashColumnFlip() throws {
        var rows = try makeRows(3)
        var p = rows[1].prevHash
        p[0] ^= 0x80
        rows[1] = Row(seq: 2, prevHash: p, hash: rows[1].hash, body: rows[1].body)
        XCTAssertEqual(verify(rows)?.seq, 2)
        XCTAssertEqual(verify(rows)?.fault, .modified)
    }

    func testDeletedRow() throws {
        var rows = try makeRows(5)
        rows.remove(at: 2)
        XCTAssertEqual(verify(rows)?.seq, 3)
        XCTAssertEqual(verify(rows)?.fault, .missing)
    }

    func testReorderedRows() throws {
        let rows = try makeRows(5)
        var t = rows
        // Swap the contents of seq 2 and 3, keeping the seq column.
        t[1] = Row(seq: 2, prevHash: rows[2].prevHash, hash: rows[2].hash, body: rows[2].body)
        t[2] = Row(seq: 3, prevHash: rows[1].prevHash, hash: rows[1].hash, body: rows[1].body)
        XCTAssertEqual(verify(t)?.seq, 2)
        XCTAssertEqual(verify(t)?.fault, .reordered)
    }

    func testInsertedRowWithRenumbering() throws {
        let rows = try makeRows(4)
        // An attacker forges a valid event after seq 2 and renumbers the rest.
        let forged = try Chain.seal(
            .object(["id": .string("forged"), "kind": .string("install")]), seq: 3, previous: rows[1].hash)
        var t = Array(rows[0..<2])
        t.append(Row(seq: 3, prevHash: forged.prevHash, hash: forged.hash, body: forged.body))
        for r in rows[2...] { t.append(Row(seq: r.seq + 1, prevHash: r.prevHash, hash: r.hash, body: r.body)) }
        let b = verify(t)
        XCTAssertEqual(b?.seq, 3)
        XCTAssertEqual(b?.fault, .inserted)
    }

    func testForkedChain() throws {
        let rows = try makeRows(4)
        // A second branch from seq 1, stored as if it followed seq 4.
        let branch = try Chain.seal(
            .object(["id": .string("branch"), "kind": .string("install")]), seq: 5, previous: rows[0].hash)
        let b = verify(rows + [Row(seq: 5, prevHash: branch.prevHash, hash: branch.hash, body: branch.body)])
        XCTAssertEqual(b?.seq, 5)
        XCTAssertEqual(b?.fault, .forked)
    }

    func testRewrittenBodyWithRecomputedHashBreaksTheNextLink() throws {
        var rows = try makeRows(3)
        let rewritten = try Chain.seal(
            .object(["id": .string("e2"), "kind": .string("install"), "n": .int(999)]),
            seq: 2, previous: rows[0].hash)
        rows[1] = Row(seq: 2, prevHash: rewritten.prevHash, hash: rewritten.hash, body: rewritten.body)
        let b = verify(rows)
        XCTAssertEqual(b?.seq, 3)
        XCTAssertEqual(b?.fault, .modified)
    }
}
