import XCTest

@testable import PkgtrailCore

final class UvLockTests: XCTestCase {
    let text = """
        version = 1
        revision = 5
        requires-python = ">=3.11"

        [[package]]
        name = "app"
        version = "0.1.0"
        source = { virtual = "." }
        dependencies = [
            { name = "Demo_App" },
        ]

        [package.metadata]
        requires-dist = [{ name = "demo-app", specifier = ">=1.0" }]

        [[package]]
        name = "demo-app"
        version = "1.0"
        source = { registry = "https://user:tok@idx/simple/" }
        dependencies = [{ name = "demo-lib" }]
        sdist = { url = "https://idx/files/demo_app-1.0.tar.gz", hash = "sha256:\(String(repeating: "c", count: 64))", \
        size = 9 }
        wheels = [
            { url = "https://idx/files/demo_app-1.0-py3-none-any.whl", hash = \
        "sha256:\(String(repeating: "a", count: 64))", size = 1 },
        ]

        [[package]]
        name = "demo-lib"
        version = "1.1"
        source = { registry = "https://idx/simple/" }
        wheels = [{ url = "https://idx/files/demo_lib-1.1-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:bad" }]
        """

    func testReadsPackagesArtifactsAndDependencies() throws {
        let lock = UvLock(text: text)
        XCTAssertEqual(lock.packages.map(\.name), ["app", "demo-app", "demo-lib"])
        XCTAssertEqual(lock.package(named: "app")?.dependencies, ["demo-app"])
        XCTAssertEqual(lock.package(named: "app")?.sourceKind, "virtual")
        let app = try XCTUnwrap(lock.package(named: "demo-app"))
        XCTAssertEqual(app.version, "1.0")
        XCTAssertEqual(app.sourceValue, "https://user:tok@idx/simple/")
        XCTAssertEqual(app.wheels.first?.sha256, String(repeating: "a", count: 64))
        XCTAssertEqual(app.wheels.first?.filename, "demo_app-1.0-py3-none-any.whl")
        XCTAssertEqual(app.sdist?.sha256, String(repeating: "c", count: 64))
        XCTAssertEqual(app.dependencies, ["demo-lib"])
        XCTAssertEqual(lock.requirers(of: "demo-lib"), ["demo-app"])
        // A malformed hash is dropped, not kept.
        XCTAssertNil(lock.package(named: "demo-lib")?.wheels.first?.sha256)
        XCTAssertEqual(lock.package(named: "demo-lib")?.wheels.count, 1)
    }

    func testGarbageYieldsNothing() {
        XCTAssertTrue(UvLock(text: "").packages.isEmpty)
        // A header that does not close, a name that is not a string: no package.
        XCTAssertTrue(UvLock(text: "[[package]\nname = 5\n{{{{").packages.isEmpty)
        // A bare value is kept as written; nothing else comes with it.
        let bare = UvLock(text: "[[package]]\nname = 5\n{{{{").packages
        XCTAssertEqual(bare.map(\.name), ["5"])
        XCTAssertEqual(bare.map(\.version), [nil])
        XCTAssertEqual(bare.map(\.wheels.count), [0])
    }
}
