import Foundation
import PkgtrailCore
import PkgtrailSystem
import XCTest

@testable import PkgtrailCapture

/// uv's cache as uv 0.13.9 really wrote it (Fixtures/uv-cache, made by
/// scripts/record_uv_cache_fixture.py: PyPI itself, a second index,
/// find-links, a direct URL, an sdist built from an index), read back against
/// the sha256 each index published.
final class UvArtifactsTests: DirectoryTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/uv-cache"
    ).path

    struct Entry: Decodable {
        let name, version, sha256, filename, source: String
    }

    struct Manifest: Decodable {
        let port: Int
        let entries: [Entry]
    }

    var manifest: Manifest!
    var tmp: String { dir }

    override func setUpWithError() throws {
        try super.setUpWithError()
        manifest = try JSONDecoder().decode(
            Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/manifest.json")))
    }

    func artifacts(cache: String = fixture, arguments: [String] = ["pip", "install", "x"]) -> UvArtifacts {
        UvArtifacts(
            cmd: UvCommand(arguments: arguments), env: ProcessEnvironment(values: ["UV_CACHE_DIR": cache]), cwd: "/")
    }

    /// An installed dist-info as uv leaves it: WHEEL with its tags, direct_url.json for direct installs.
    func distInfo(_ name: String, _ version: String, tags: [String] = ["py3-none-any"], directURL: String? = nil) throws
        -> String
    {
        let dir = "\(tmp)/\(name.replacingOccurrences(of: "-", with: "_"))-\(version).dist-info"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ("Wheel-Version: 1.0\nGenerator: uv\nRoot-Is-Purelib: true\n" + tags.map { "Tag: \($0)\n" }.joined())
            .write(toFile: dir + "/WHEEL", atomically: true, encoding: .utf8)
        if let directURL { try directURL.write(toFile: dir + "/direct_url.json", atomically: true, encoding: .utf8) }
        return dir
    }

    func entry(_ source: String) -> Entry { manifest.entries.first { $0.source == source }! }

    func testEverySourceInTheRealCacheGivesThePublishedHash() throws {
        let uv = artifacts()
        for (source, tags, direct, hashSource, built) in [
            // One compressed Tag line, as maturin writes them.
            ("pypi", ["py2.py3-none-any"], nil, "uv-cache-v8", false),
            ("index", ["py3-none-any"], nil, "uv-cache-v8", false),
            ("find-links", ["py3-none-any"], nil, "uv-cache-v8", false),
            (
                "url", ["py3-none-any"], "http://127.0.0.1:\(manifest.port)/files/agentkit-1.0-py3-none-any.whl",
                "uv-cache-v8", false
            ),
            ("index-sdist", ["py3-none-any"], nil, "uv-cache-sdists-v11", true)
        ] as [(String, [String], String?, String, Bool)] {
            let e = entry(source)
            let dir = try distInfo(
                e.name, e.version, tags: tags,
                directURL: direct.map { #"{"url":"\#($0)","archive_info":{}}"# })
            let facts = try XCTUnwrap(uv.lookup(name: e.name, version: e.version, metadataPath: dir), source)
            XCTAssertEqual(facts.artifact?.sha256, e.sha256, source)
            XCTAssertEqual(facts.artifact?.hashSource, hashSource, source)
            XCTAssertEqual(facts.artifact?.filename, e.filename, source)
            XCTAssertTrue(facts.artifact?.url?.hasSuffix("/" + e.filename) ?? false, source)
            XCTAssertEqual(
                facts.notes.contains { $0.contains("built the installed wheel from this sdist") }, built, source)
        }
    }

    func testOtherTagsAreNotTakenForTheInstalledWheel() throws {
        let e = entry("index")
        let dir = try distInfo(e.name, e.version, tags: ["cp311-cp311-manylinux_2_17_x86_64"])
        let facts = try XCTUnwrap(artifacts().lookup(name: e.name, version: e.version, metadataPath: dir))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("not found in uv's cache") ?? false, "\(facts.notes)")
    }

    func testNullHashesAlwaysSayWhy() throws {
        let e = entry("index")
        let dir = try distInfo(e.name, e.version)
        // --no-cache
        var facts = try XCTUnwrap(
            artifacts(arguments: ["pip", "install", "--no-cache", "x"]).lookup(
                name: e.name, version: e.version, metadataPath: dir))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("without a cache") ?? false)
        // A cache of a layout pkgtrail does not read.
        let other = tmp + "/other-cache"
        try FileManager.default.createDirectory(
            atPath: other + "/wheels-v9/pypi/demo-lib", withIntermediateDirectories: true)
        facts = try XCTUnwrap(artifacts(cache: other).lookup(name: e.name, version: e.version, metadataPath: dir))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("wheels-v9") ?? false, "\(facts.notes)")
        // Two indexes that served different files for one version.
        let twice = tmp + "/twice"
        let source = try XCTUnwrap(
            FileManager.default.subpathsOfDirectory(atPath: Self.fixture).first {
                $0.hasPrefix("wheels-v8/index/") && $0.hasSuffix("/demo-lib/1.0-py3-none-any.http")
            })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/" + source))
        for (digest, flip) in [("aaaa000000000001", false), ("aaaa000000000002", true)] {
            let dir = "\(twice)/wheels-v8/index/\(digest)/demo-lib"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if flip, let i = bytes.firstIndex(of: UInt8(ascii: "@")) {
                bytes[i + 1] = bytes[i + 1] == 0x30 ? 0x31 : 0x30
            }
            try bytes.write(to: URL(fileURLWithPath: dir + "/1.0-py3-none-any.http"))
        }
        facts = try XCTUnwrap(artifacts(cache: twice).lookup(name: e.name, version: e.version, metadataPath: dir))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("2 different sha256") ?? false, "\(facts.notes)")
    }

    func testDirectInstallsFromGitDirectoriesAndFiles() throws {
        let uv = artifacts()
        var dir = try distInfo(
            "sdpkg", "0.3",
            directURL: #"{"url":"https://tok:secret@git.example/r.git","vcs_info":"#
                + #"{"vcs":"git","commit_id":"e6b8ec12794e8659e9e582177c02d0fee538dc9a"}}"#
        )
        var facts = try XCTUnwrap(uv.lookup(name: "sdpkg", version: "0.3", metadataPath: dir))
        XCTAssertEqual(
            facts.artifact?.url, "git+https://***@git.example/r.git@e6b8ec12794e8659e9e582177c02d0fee538dc9a")
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("at commit e6b8ec12794e8659e9e582177c02d0fee538dc9a") ?? false)
        XCTAssertFalse(facts.notes.joined().contains("secret"))

        try FileManager.default.removeItem(atPath: dir)
        dir = try distInfo("sdpkg", "0.3", directURL: #"{"url":"file:///src/sdpkg","dir_info":{"editable":true}}"#)
        facts = try XCTUnwrap(uv.lookup(name: "sdpkg", version: "0.3", metadataPath: dir))
        XCTAssertEqual(facts.artifact?.url, "file:///src/sdpkg")
        XCTAssertTrue(facts.notes.first?.contains("local directory /src/sdpkg (editable)") ?? false)

        let sdist = tmp + "/sdpkg-0.3.tar.gz"
        try Data("an sdist".utf8).write(to: URL(fileURLWithPath: sdist))
        try FileManager.default.removeItem(atPath: dir)
        dir = try distInfo("sdpkg", "0.3", directURL: #"{"url":"file://\#(sdist)","archive_info":{}}"#)
        facts = try XCTUnwrap(uv.lookup(name: "sdpkg", version: "0.3", metadataPath: dir))
        XCTAssertEqual(facts.artifact?.sha256, Digest.sha256Hex(Array("an sdist".utf8)))
        XCTAssertEqual(facts.artifact?.hashSource, "file")
        XCTAssertTrue(facts.notes.first?.contains("built the installed wheel from this sdist") ?? false)
        try FileManager.default.removeItem(atPath: sdist)
        facts = try XCTUnwrap(uv.lookup(name: "sdpkg", version: "0.3", metadataPath: dir))
        XCTAssertNil(facts.artifact?.sha256)
        XCTAssertTrue(facts.notes.first?.contains("no longer a readable file") ?? false)
    }

    func testCacheEntryWithoutAFilenameIsAnSdistRevision() throws {
        let path = try XCTUnwrap(
            FileManager.default.subpathsOfDirectory(atPath: Self.fixture).first { $0.hasSuffix("revision.http") })
        let e = try XCTUnwrap(
            UvCacheEntry(bytes: Array(Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/" + path)))))
        XCTAssertNil(e.filename)
        XCTAssertEqual(e.url?.hasSuffix("/sdpkg-0.3.tar.gz"), true)
        XCTAssertEqual(e.sha256, entry("index-sdist").sha256)
    }
}
