import XCTest

@testable import PkgtrailCore

/// Known answers from golang.org/x/mod/sumdb/note (the reference
/// implementation) and the C2SP signed-note specification's example.
final class SignedNoteTests: XCTestCase {
    let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    let note =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n"
        + "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
        + "qfqdngotpRZb6KE6RyyBwJnAM=\n"

    func testSignsExactlyAsTheReferenceImplementation() throws {
        let signer = try SignedNote.Signer(encoded: skey)
        XCTAssertEqual(signer.encoded, skey)
        XCTAssertEqual(signer.verifier.encoded, vkey)
        XCTAssertEqual(try signer.sign(text), note)  // Ed25519 is deterministic
    }

    func testOpensTheReferenceNoteAndTheSpecExample() throws {
        XCTAssertEqual(try SignedNote.Verifier(encoded: vkey).open(note), text)
        let spec = try SignedNote.Verifier(
            encoded: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        XCTAssertEqual(
            try spec.open(
                "This is an example message.\n\n\u{2014} example.com/foo "
                    + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"),
            "This is an example message.\n")
    }

    func testEveryAlterationIsRefused() throws {
        let v = try SignedNote.Verifier(encoded: vkey)
        var bytes = Array(note.utf8)
        for i in bytes.indices where i < text.utf8.count {  // flip each text byte in turn
            bytes[i] ^= 0x01
            XCTAssertThrowsError(try v.open(String(decoding: bytes, as: UTF8.self)), "byte \(i)")
            bytes[i] ^= 0x01
        }
        let other = try SignedNote.Signer.generate(name: "PeterNeumann")
        XCTAssertThrowsError(try other.verifier.open(note))  // same name, another key
        XCTAssertThrowsError(try v.open(text))
        XCTAssertThrowsError(
            try SignedNote.Verifier(encoded: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        XCTAssertThrowsError(
            try SignedNote.Signer(
                encoded: "PRIVATE+KEY+Peter Neumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"))
        XCTAssertThrowsError(try SignedNote.Signer.generate(name: "a+b"))
    }

    func testCheckpointRoundTrip() throws {
        let cp = Checkpoint(origin: "build-7/pkgtrail", size: 42, head: Array(repeating: 0xAB, count: 32))
        XCTAssertEqual(cp.text, "build-7/pkgtrail\n42\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n")
        XCTAssertEqual(try Checkpoint(text: cp.text), cp)
        for bad in ["build\n42\nq6ur\n", "o\n042\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n", "o\n1\n"] {
            XCTAssertThrowsError(try Checkpoint(text: bad), bad)
        }
    }

    func testBase64() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + 11) & 0xFF) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertNil(Base64.decode("Zm8"))
        XCTAssertNil(Base64.decode("Zm9="))  // stray bits
        XCTAssertNil(Base64.decode("Zm*v"))
    }
}
