import PkgtrailCore
import XCTest

@testable import PkgtrailAdvisories

final class AdvisoryAuditTests: XCTestCase {
    func advisory(_ id: String, aliases: [String] = [], severity: String? = nil) throws -> OSVAdvisory {
        var doc: [String: JSONValue] = [
            "id": .string(id), "modified": .string("2026-01-01T00:00:00Z"), "aliases": .strings(aliases),
            "summary": .string("\(id) says"), "affected": .array([])
        ]
        if let severity { doc["database_specific"] = .object(["severity": .string(severity)]) }
        return try OSVAdvisory.parse(CanonicalJSON.encode(.object(JSONObject(doc))))[0]
    }

    func testAliasesEitherWayAndThroughAThirdMakeOneIncident() throws {
        let incidents = AdvisoryAudit.incidents([
            try advisory("PYSEC-2026-2", aliases: ["GHSA-x"], severity: "MODERATE"),
            try advisory("GHSA-y", severity: "LOW"),
            try advisory("MAL-2026-2144", aliases: ["PYSEC-2026-2"]),
            try advisory("GHSA-x", severity: "CRITICAL")
        ])
        XCTAssertEqual(incidents.map(\.ids), [["GHSA-y"], ["MAL-2026-2144", "GHSA-x", "PYSEC-2026-2"]])
        XCTAssertEqual(incidents[1].severity, "CRITICAL")
        XCTAssertTrue(incidents[1].malicious)
        XCTAssertFalse(incidents[0].malicious)
        XCTAssertEqual(incidents[1].summary, "MAL-2026-2144 says")
    }

    func testSeverityWordsRank() {
        XCTAssertEqual(["low", "CRITICAL", "Moderate", "HIGH", "unknown"].map(AdvisoryAudit.rank), [1, 4, 2, 3, nil])
    }
}
