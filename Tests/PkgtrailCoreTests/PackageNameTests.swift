import XCTest

@testable import PkgtrailCore

final class PackageNameTests: XCTestCase {
    func testPackageNameNormalization() {
        XCTAssertEqual(PackageName.normalize("Foo.Bar__baz--Qux"), "foo-bar-baz-qux")
        XCTAssertEqual(PackageName.normalize("LiteLLM"), "litellm")
        XCTAssertEqual(PackageName.normalize("typing_extensions"), "typing-extensions")
    }
}
