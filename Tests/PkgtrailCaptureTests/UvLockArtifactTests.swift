import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

final class UvLockArtifactTests: XCTestCase {
    func testWheelTagsExpandCompressedSets() {
        XCTAssertEqual(
            WheelTags.of(wheel: "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"])
        XCTAssertEqual(WheelTags.of(wheel: "x-1.0-py2.py3-none-any.whl"), ["py2-none-any", "py3-none-any"])
        XCTAssertEqual(WheelTags.of(wheel: "x-1.0.tar.gz"), [])
    }
}
