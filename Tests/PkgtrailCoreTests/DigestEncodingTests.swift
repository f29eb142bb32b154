import XCTest

@testable import PkgtrailCore

final class DigestEncodingTests: XCTestCase {
    func testBase64URLMatchesWheelRecords() {
        // sha256 of the empty string as pip writes it in RECORD.
        XCTAssertEqual(
            Digest.base64URL(Hex.decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
        XCTAssertEqual(Digest.base64URL([]), "")
        XCTAssertEqual(Digest.base64URL([0xFB]), "-w")
        XCTAssertEqual(Digest.base64URL([0xFB, 0xFF]), "-_8")
    }
}
