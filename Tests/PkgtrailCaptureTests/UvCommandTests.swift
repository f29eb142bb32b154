import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

final class UvCommandTests: XCTestCase {
    func testUvPipCommandsAndOptions() {
        let c = UvCommand(arguments: [
            "--cache-dir", "/c", "pip", "install", "-qq", "--python=/v/bin/python", "-rreq.txt",
            "--index-url", "https://h/simple", "six", "--", "-odd"
        ])
        XCTAssertEqual(c.subcommands, ["pip", "install"])
        XCTAssertEqual(c.positionals, ["six", "-odd"])
        XCTAssertEqual(c.last("--python", "-p"), "/v/bin/python")
        XCTAssertEqual(c.last("-r", "--requirement"), "req.txt")
        XCTAssertEqual(c.last("--cache-dir"), "/c")
        XCTAssertTrue(c.changesEnvironment)
    }

    func testWhatUvRecords() {
        for a in [
            ["pip", "install", "x"], ["pip", "uninstall", "x"], ["pip", "sync", "r.txt"], ["-v", "pip", "install", "x"]
        ] {
            XCTAssertTrue(UvCommand(arguments: a).changesEnvironment, "\(a)")
        }
        for a in [
            ["--version"], ["pip", "list"], ["pip", "install", "--dry-run", "x"], ["pip", "install", "-h"],
            ["venv"], ["tool", "list"], ["pip", "compile", "r.in"], ["lock"], []
        ] {
            XCTAssertFalse(UvCommand(arguments: a).changesEnvironment, "\(a)")
        }
        XCTAssertTrue(UvCommand(arguments: ["venv", "x"]).createsEnvironment)
        XCTAssertTrue(UvCommand(arguments: ["tool", "install", "--from", "pkg", "cmd"]).changesTool)
        XCTAssertEqual(UvCommand(arguments: ["tool", "install", "--from", "pkg", "cmd"]).last("--from"), "pkg")
        XCTAssertFalse(UvCommand(arguments: ["tool", "upgrade", "--all"]).changesTool)
        XCTAssertFalse(UvCommand(arguments: ["tool", "run", "x"]).changesTool)
        for a in [["add", "x"], ["remove", "x"], ["sync"], ["run", "python"], ["--directory", "d", "sync"]] {
            XCTAssertTrue(UvCommand(arguments: a).syncsProject, "\(a)")
        }
        for a in [
            ["add", "--frozen", "x"], ["add", "--no-sync", "x"], ["run", "--no-sync", "python"], ["sync", "--dry-run"],
            ["lock"], ["tree"]
        ] {
            XCTAssertFalse(UvCommand(arguments: a).syncsProject, "\(a)")
        }
    }

    func testUvCacheEntryHeader() {
        // [archive id, [{"Sha256": hex}], filename] then uv's binary data with the URL.
        let sha = String(repeating: "ab", count: 32)
        var b: [UInt8] =
            [0x95, 0xa3] + Array("abc".utf8) + [0x91, 0x81, 0xa6] + Array("Sha256".utf8) + [0xd9, 64]
            + Array(sha.utf8)
        let name = "demo-1.0-py3-none-any.whl"
        b +=
            [0xa0 | UInt8(name.count)] + Array(name.utf8) + [0, 0, 4] + Array("http://127.0.0.1:9/files/\(name)".utf8)
            + [0]
        let e = UvCacheEntry(bytes: b)
        XCTAssertEqual(e?.sha256, sha)
        XCTAssertEqual(e?.filename, name)
        XCTAssertEqual(e?.url, "http://127.0.0.1:9/files/\(name)")
        XCTAssertNil(UvCacheEntry(bytes: Array(b.prefix(20))))
        XCTAssertNil(UvCacheEntry(bytes: []))
    }
}
