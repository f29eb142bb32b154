import Foundation
import GRDB
import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories

final class AdvisoryDenyIndexTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "deny-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func doc(
        _ id: String, _ name: String, versions: [String] = [], events: [[String: String]]? = nil,
        aliases: [String] = [], modified: String = "2026-05-01T00:00:00Z", withdrawn: String? = nil
    ) -> (source: String, bytes: [UInt8]) {
        var affected: [String: JSONValue] = [
            "package": .object(["ecosystem": .string("PyPI"), "name": .string(name)]), "versions": .strings(versions)
        ]
        if let events {
            affected["ranges"] = .array([
                .object([
                    "type": .string("ECOSYSTEM"),
                    "events": .array(events.map { e in .object(JSONObject(e.mapValues(JSONValue.string))) })
                ])
            ])
        }
        var d: [String: JSONValue] = [
            "id": .string(id), "modified": .string(modified), "aliases": .strings(aliases),
            "affected": .array([.object(JSONObject(affected))])
        ]
        if let withdrawn { d["withdrawn"] = .string(withdrawn) }
        return (id + ".json", try! CanonicalJSON.encode(.object(JSONObject(d))))
    }

    var fixtures: [(source: String, bytes: [UInt8])] {
        [
            doc("MAL-2026-2144", "LiteLLM", versions: ["1.82.7", "1.82.8"], aliases: ["PYSEC-2026-2"]),
            doc("MAL-2026-0666", "Evil_Pkg", versions: ["0.1"], events: [["introduced": "0"]]),
            // A project malicious whole and in one version: the name check covers it, no line needed.
            doc("MAL-2026-0667", "evil-pkg", versions: ["0.2"]),
            doc(
                "PYSEC-2026-9", "demo-lib", versions: ["1.0", "1.1", "1.2"],
                events: [["introduced": "1.0"], ["fixed": "1.3"]]),
            doc("MAL-2026-0001", "gone", versions: ["1.0"], withdrawn: "2026-05-02T00:00:00Z")
        ]
    }

    func testConstraintsOnlyForVersionsOfProjectsNotDeniedWhole() throws {
        let path = dir + "/a.db"
        _ = try AdvisoryStore.openForWriting(path: path).add(fixtures, label: "t", at: "2026-05-03T00:00:00.000Z")
        let index = try XCTUnwrap(try AdvisoryDenyIndex.open(path: path))
        let mal = Policy.AdvisorySelection(prefixes: ["MAL"], store: nil, file: "/p")
        let c = try index.constraints(mal)
        XCTAssertEqual(c.lines, ["litellm!=1.82.7", "litellm!=1.82.8"])
        XCTAssertEqual(c.advisories, 3)  // the withdrawn one is not in force
        // A vulnerability's listed versions are checked by name, not made lines; a MAL alias makes them lines.
        let pysec = try index.constraints(.init(prefixes: ["PYSEC"], store: nil, file: "/p"))
        XCTAssertEqual(pysec.advisories, 2)
        XCTAssertEqual(pysec.lines, ["litellm!=1.82.7", "litellm!=1.82.8"])
        XCTAssertEqual(try index.generation()?.run, 1)
        XCTAssertEqual(try index.generation()?.imported, "2026-05-03T00:00:00.000Z")

        let hits = try index.hits(names: ["litellm", "evil-pkg", "demo-lib", "gone", "fine"], mal)
        XCTAssertEqual(Set(hits.map(\.advisory)), ["MAL-2026-2144", "MAL-2026-0666", "MAL-2026-0667"])
        let lite = try XCTUnwrap(hits.first { $0.version == "1.82.8" })
        XCTAssertEqual(lite.ids, ["MAL-2026-2144", "PYSEC-2026-2"])
        XCTAssertTrue(try index.denies(lite, version: "1.82.8.0"))
        XCTAssertFalse(try index.denies(lite, version: "1.82.9"))
        XCTAssertFalse(try index.denies(lite, version: nil))
        let whole = try XCTUnwrap(hits.first { $0.kind == .every })
        XCTAssertTrue(try index.denies(whole, version: nil))
        // Ranges are evaluated against the version at hand (PYSEC selected through its alias too).
        let pysecHits = try index.hits(
            names: ["demo-lib", "litellm"], .init(prefixes: ["PYSEC"], store: nil, file: "/p"))
        let range = try XCTUnwrap(pysecHits.first { $0.kind == .range })
        XCTAssertTrue(try index.denies(range, version: "1.2"))
        XCTAssertFalse(try index.denies(range, version: "1.3"))
        XCTAssertEqual(Set(pysecHits.map(\.advisory)), ["PYSEC-2026-9", "MAL-2026-2144"])
        let listed = try XCTUnwrap(pysecHits.first { $0.kind == .version && $0.name == "demo-lib" })
        XCTAssertTrue(try index.denies(listed, version: listed.version))
    }

    /// A re-import that withdraws or narrows an advisory changes its rows; a
    /// new import is a new generation (what the constraints cache is keyed by).
    func testReimportUpdatesTheRows() throws {
        let path = dir + "/a.db"
        let store = try AdvisoryStore.openForWriting(path: path)
        _ = try store.add(fixtures, label: "t", at: "2026-05-03T00:00:00.000Z")
        _ = try store.add(
            [
                doc(
                    "MAL-2026-2144", "litellm", versions: ["1.82.8"], aliases: ["PYSEC-2026-2"],
                    modified: "2026-05-04T00:00:00Z"),
                doc("MAL-2026-0666", "evil-pkg", modified: "2026-05-04T00:00:00Z", withdrawn: "2026-05-04T00:00:00Z")
            ], label: "u", at: "2026-05-05T00:00:00.000Z")
        let index = try XCTUnwrap(try AdvisoryDenyIndex.open(path: path))
        let mal = Policy.AdvisorySelection(prefixes: ["MAL"], store: nil, file: "/p")
        XCTAssertEqual(try index.constraints(mal).lines, ["evil-pkg!=0.2", "litellm!=1.82.8"])
        XCTAssertEqual(try index.generation()?.run, 2)
        XCTAssertEqual(try index.generation()?.newestModified, "2026-05-04T00:00:00Z")
    }

    /// A store written before deny-lists gets its rows when next opened for writing.
    func testAnOlderStoreIsIndexedByItsMigration() throws {
        let path = dir + "/old.db"
        let queue = try DatabaseQueue(path: path)
        try AdvisoryStore.migrator.migrate(queue, upTo: "1-advisories")
        try queue.write { db in
            let d = fixtures[0]
            try db.execute(
                sql: """
                    INSERT INTO advisory (id, modified, aliases, malicious, body, source, imported)
                    VALUES ('MAL-2026-2144', '2026-05-01T00:00:00Z', '[]', 1, ?, 'x', 'y')
                    """, arguments: [Data(d.bytes)])
            try db.execute(sql: "INSERT INTO import_run VALUES ('y', 'x', 1, 1, 0, 0, 0, 0)")
        }
        XCTAssertThrowsError(try AdvisoryDenyIndex.open(path: path)?.generation()) { e in
            XCTAssertTrue("\(e)".contains("import once more"), "\(e)")
        }
        _ = try AdvisoryStore.openForWriting(path: path)
        let index = try XCTUnwrap(try AdvisoryDenyIndex.open(path: path))
        XCTAssertEqual(
            try index.constraints(.init(prefixes: ["MAL"], store: nil, file: "/p")).lines,
            ["litellm!=1.82.7", "litellm!=1.82.8"])
        XCTAssertEqual(try index.generation()?.newestModified, "2026-05-01T00:00:00Z")
        XCTAssertNil(try AdvisoryDenyIndex.open(path: dir + "/none.db"))
        FileManager.default.createFile(atPath: dir + "/other.db", contents: nil)
        XCTAssertThrowsError(try AdvisoryDenyIndex.open(path: dir + "/other.db")?.generation()) { e in
            XCTAssertTrue("\(e)".contains("is not a pkgtrail advisory store"), "\(e)")
        }
    }
}
