import Foundation
import PkgtrailCore
import XCTest

@testable import PkgtrailCapture

/// What a dist-info's direct_url.json tells the watcher and `scan`,
/// whatever installer wrote it.
final class DirectURLArtifactsTests: DirectoryTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(atPath: dir + "/x-1.0.dist-info", withIntermediateDirectories: true)
    }

    func lookup(_ json: String?) throws -> ArtifactFacts? {
        if let json {
            try json.write(toFile: dir + "/x-1.0.dist-info/direct_url.json", atomically: false, encoding: .utf8)
        }
        return DirectURLArtifacts().lookup(name: "x", version: "1.0", metadataPath: dir + "/x-1.0.dist-info")
    }

    func testRegistryInstallsHaveNoDirectURL() throws {
        XCTAssertNil(try lookup(nil))
    }

    func testDeclaredArchiveHashIsKeptAndCredentialsAreNot() throws {
        let sha = String(repeating: "ab", count: 32)
        let facts = try XCTUnwrap(
            try lookup(
                #"{"url":"https://u:secret@h/x-1.0-py3-none-any.whl","archive_info":{"hashes":{"sha256":"\#(sha)"}}}"#))
        XCTAssertEqual(facts.artifact?.sha256, sha)
        XCTAssertEqual(facts.artifact?.hashSource, "direct_url")
        XCTAssertEqual(facts.artifact?.filename, "x-1.0-py3-none-any.whl")
        XCTAssertFalse(facts.artifact?.url?.contains("secret") ?? true)
        XCTAssertEqual(facts.notes, [])
    }

    func testAnUndeclaredRemoteArchiveSaysSo() throws {
        let facts = try XCTUnwrap(try lookup(#"{"url":"https://h/x-1.0.tar.gz","archive_info":{}}"#))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertEqual(facts.artifact?.url, "https://h/x-1.0.tar.gz")
        XCTAssertTrue(facts.notes.first?.contains("declares no sha256") ?? false, "\(facts.notes)")
    }

    func testALocalArchiveIsHashedAsItIsNow() throws {
        let wheel = dir + "/x-1.0-py3-none-any.whl"
        try Data("wheel bytes".utf8).write(to: URL(fileURLWithPath: wheel))
        let facts = try XCTUnwrap(try lookup(#"{"url":"file://\#(wheel)","archive_info":{}}"#))
        XCTAssertEqual(facts.artifact?.sha256, Digest.sha256Hex(Array("wheel bytes".utf8)))
        XCTAssertEqual(facts.artifact?.hashSource, "file")
    }

    func testVCSAndDirectoriesHaveNoArchive() throws {
        let vcs = try XCTUnwrap(
            try lookup(#"{"url":"https://h/r.git","vcs_info":{"vcs":"git","commit_id":"e6b8ec12"}}"#))
        XCTAssertEqual(vcs.artifact?.url, "git+https://h/r.git@e6b8ec12")
        XCTAssertNil(vcs.artifact?.sha256)
        let local = try XCTUnwrap(try lookup(#"{"url":"file:///src/x","dir_info":{"editable":true}}"#))
        XCTAssertTrue(local.notes.first?.contains("/src/x (editable)") ?? false, "\(local.notes)")
        // Anyone who can write site-packages writes this file: no credential passes through a note either.
        let odd = try XCTUnwrap(try lookup(#"{"url":"https://u:tok3n@h/src","dir_info":{}}"#))
        XCTAssertFalse(odd.notes.joined().contains("tok3n") || (odd.artifact?.url ?? "").contains("tok3n"), "\(odd)")
    }
}
