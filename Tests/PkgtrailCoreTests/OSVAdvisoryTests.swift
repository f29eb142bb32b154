import XCTest

@testable import PkgtrailCore

final class OSVAdvisoryTests: XCTestCase {
    func affected(_ json: String) throws -> OSVAdvisory.Affected {
        try XCTUnwrap(OSVAdvisory.parse(Array(json.utf8)).first?.affected.first)
    }

    func testRangesFollowOSVsEvaluation() throws {
        let a = try affected(
            """
            {"id":"PYSEC-1","affected":[{"package":{"ecosystem":"PyPI","name":"Lite_LLM"},
             "ranges":[{"type":"ECOSYSTEM",
                        "events":[{"fixed":"1.5"},{"introduced":"0"},{"introduced":"2.0"},{"last_affected":"2.1"}]},
                       {"type":"GIT","events":[{"introduced":"abc"}]}],
             "versions":["0.9.dev1"]}]}
            """)
        XCTAssertEqual(a.name, "lite-llm")
        for v in ["0.1", "1.4.9", "1.5rc1", "2.0", "2.1", "0.9.dev1"] { XCTAssertTrue(a.contains(v), v) }
        for v in ["1.5", "1.9", "2.1.1", "3", "not-a-version"] { XCTAssertFalse(a.contains(v), v) }
    }

    /// Every version (open at 0, never closed, whatever versions are also
    /// listed), the listed versions, or ranges only: what decides between a
    /// name check and constraint lines.
    func testDenyForms() throws {
        func form(_ body: String) throws -> OSVAdvisory.Affected.DenyForm {
            try affected(#"{"id":"MAL-1","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"# + body + "}]}")
                .denyForm
        }
        let open = #""ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]"#
        XCTAssertEqual(try form(open), .everyVersion)
        XCTAssertEqual(try form(open + #","versions":["0.0.1"]"#), .everyVersion)
        XCTAssertEqual(try form(#""versions":["1.82.7","1.82.8"]"#), .versions(["1.82.7", "1.82.8"]))
        let closed = #""ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]"#
        XCTAssertEqual(try form(closed), .ranges)
        XCTAssertEqual(try form(closed + #","versions":["1.0"]"#), .versions(["1.0"]))
        let late = #""ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"}]}]"#
        XCTAssertEqual(try form(late), .ranges)
        let limited = #""ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"limit":"2"}]}]"#
        XCTAssertEqual(try form(limited), .ranges)
    }

    func testListedVersionsCompareAsVersions() throws {
        let a = try affected(
            #"{"id":"MAL-1","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.82.7","1.82.8"]}]}"#)
        XCTAssertTrue(a.contains("1.82.8"))
        XCTAssertTrue(a.contains("1.82.8.0"))
        XCTAssertFalse(a.contains("1.82.9"))
    }

    func testArraysOtherEcosystemsAndGarbage() throws {
        let all = try OSVAdvisory.parse(
            Array(
                """
                [{"id":"A","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":["1"]}]},
                 {"id":"B","summary":"score 9.8",
                  "severity":[{"type":"CVSS_V3","score":"x"}],"database_specific":{"n":1.5},
                  "affected":[{"package":{"ecosystem":"PyPI","name":"y"},
                               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"limit":"2.0"}]}]}]}]
                """.utf8))
        XCTAssertEqual(all.map(\.id), ["A", "B"])
        XCTAssertEqual(all[0].affected, [])
        XCTAssertTrue(all[1].affected[0].contains("1.5"))
        XCTAssertFalse(all[1].affected[0].contains("2.0"))
        XCTAssertThrowsError(try OSVAdvisory.parse(Array("{\"affected\":[]}".utf8)))
        XCTAssertThrowsError(try OSVAdvisory.parse(Array("[1,".utf8)))
    }
}
