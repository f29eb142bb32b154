import XCTest

@testable import PkgtrailCore

final class UvToolReceiptTests: XCTestCase {
    func testEntrypointsAndIndex() {
        let r = UvToolReceipt(
            text: """
                [tool]
                requirements = [{ name = "demo-app" }]
                python = "3"
                entrypoints = [
                    { name = "demo-app", install-path = "/home/u/.local/bin/demo-app", from = "demo-app" },
                ]

                [tool.options]
                index-url = "https://u:t@idx/simple/"
                """)
        XCTAssertEqual(r.executables, ["/home/u/.local/bin/demo-app"])
        XCTAssertEqual(r.indexURLs, ["https://u:t@idx/simple/"])
    }
}
