import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

/// uv.lock first; where it hashes nothing (a path or git source, a lock written
/// without hashes), what uv itself kept, with the lock's requested/required-by.
final class LockThenCacheTests: XCTestCase {
    func testTheLockWinsWhenItHashesAndTheCacheFillsWhereItDoesNot() throws {
        let sha = String(repeating: "c", count: 64)
        let lock = UvLock(
            text: """
                version = 1

                [[package]]
                name = "proj"
                version = "0.1"
                source = { virtual = "." }
                dependencies = [{ name = "demo-lib" }, { name = "six" }]

                [[package]]
                name = "six"
                version = "1.16.0"
                source = { registry = "https://pypi.org/simple" }
                wheels = [{ url = "https://files/six-1.16.0-py2.py3-none-any.whl", hash = "sha256:\(sha)" }]

                [[package]]
                name = "demo-lib"
                version = "1.0"
                source = { registry = "http://127.0.0.1/simple" }

                """)
        let source = LockThenCache(
            lock: UvLockArtifacts(lock: lock, root: "/p"),
            cache: UvArtifacts(
                cmd: UvCommand(arguments: ["sync"]),
                env: ProcessEnvironment(values: ["UV_CACHE_DIR": UvArtifactsTests.fixture]), cwd: "/"))
        let six = try XCTUnwrap(source.lookup(name: "six", version: "1.16.0", metadataPath: nil))
        XCTAssertEqual(six.artifact?.sha256, sha)
        XCTAssertEqual(six.artifact?.hashSource, "uv.lock")
        let manifest = try String(contentsOfFile: UvArtifactsTests.fixture + "/manifest.json", encoding: .utf8)
        let lib = try XCTUnwrap(source.lookup(name: "demo-lib", version: "1.0", metadataPath: nil))
        XCTAssertEqual(lib.artifact?.hashSource, "uv-cache-v8")
        XCTAssertTrue(manifest.contains(lib.artifact?.sha256 ?? "none"))
        XCTAssertEqual(lib.requested, true)
        XCTAssertEqual(lib.requiredBy, ["proj"])
    }
}
